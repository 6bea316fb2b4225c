import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answered as an RFC 9457 problem document (`application/problem+json`).
public struct Problem: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// A short slug naming the kind of problem; the document's `type` is `/problems/SLUG`.
    public var kind: String
    public var title: String
    public var detail: String

    public init(_ status: HTTPResponse.Status, _ kind: String, _ title: String, detail: String = "") {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
    }

    public var description: String { "\(status.code) \(title)\(detail.isEmpty ? "" : ": \(detail)")" }

    struct Document: Codable, Equatable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let document = Document(type: "/problems/\(kind)", title: title, status: status.code, detail: detail.isEmpty ? nil : detail, instance: request.uri.path)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"tessera\"" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(document))))
    }

    /// A body over the route's limit: 413, never the collector's error text.
    static func tooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, "too-large", "The request body is too large", detail: "at most \(limit) bytes")
    }

    static let unauthorized = Problem(.unauthorized, "unauthorized", "A valid admin token is required", detail: "send Authorization: Bearer TOKEN (create one with: tessera admin token create --user NAME)")
}

/// Turns every error a route throws into a problem document: ours as they are, Hummingbird's
/// HTTP errors with their status, anything else as a 500 whose detail is logged, not sent.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try Problem.tooLarge(context.maxUploadSize).response(from: request, context: context)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return try Problem.tooLarge(context.maxUploadSize).response(from: request, context: context)
        } catch let error as HTTPError {
            let kind = error.status == .notFound ? "not-found" : error.status == .badRequest ? "invalid-body" : "http-\(error.status.code)"
            let title = error.status == .notFound ? "No such route or resource" : error.status.reasonPhrase
            return try Problem(error.status, kind, title, detail: error.body ?? "").response(from: request, context: context)
        } catch {
            context.logger.error("console route failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try Problem(.internalServerError, "internal", "The console could not answer", detail: "the error is in the grid services' log")
                .response(from: request, context: context)
        }
    }
}
