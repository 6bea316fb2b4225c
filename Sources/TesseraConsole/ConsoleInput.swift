import Foundation
import Hummingbird
import NIOCore

/// The console's edge for text: every string an admin sends — the path's names, query
/// parameters, JSON string fields and command lines — passes `check` before any route sees it,
/// so nothing reaches PostgreSQL (or the audit trail) as text it cannot store. PostgreSQL's
/// text types cannot hold U+0000; Swift strings hold only valid Unicode, so that is the one
/// character to refuse.
enum ConsoleInput {
    /// A 400 problem naming `field` when `text` cannot be stored.
    static func check(_ text: some StringProtocol, field: String) throws(Problem) {
        guard !text.unicodeScalars.contains("\u{0}") else {
            throw Problem(.badRequest, "invalid-text", "Text the grid cannot store", detail: "\(field) contains U+0000 (NUL), which the grid does not accept")
        }
    }

    /// Every JSON string of a body (keys and values, at any depth), checked with `check` and
    /// named by its path (`name`, `items[2].label`). Bodies that are not JSON pass: decoding
    /// them is the route's business, and it answers its own 400.
    static func checkJSON(_ data: Data) throws(Problem) {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return }
        try checkJSON(root, path: "")
    }

    private static func checkJSON(_ value: Any, path: String) throws(Problem) {
        switch value {
        case let text as String:
            try check(text, field: path.isEmpty ? "the body" : path)
        case let array as [Any]:
            for (index, element) in array.enumerated() { try checkJSON(element, path: "\(path)[\(index)]") }
        case let object as [String: Any]:
            for (key, element) in object {
                let field = path.isEmpty ? key : "\(path).\(key)"
                try check(key, field: "a key of \(path.isEmpty ? "the body" : path)")
                try checkJSON(element, path: field)
            }
        default:
            break
        }
    }
}

/// Checks the percent-decoded path and every query parameter with `ConsoleInput.check`
/// before any route runs.
struct InputMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        try ConsoleInput.check(path.removingPercentEncoding ?? path, field: "the path")
        for (key, value) in request.uri.queryParameters {
            try ConsoleInput.check(key, field: "a query parameter's name")
            try ConsoleInput.check(value, field: "the query parameter \(key)")
        }
        return try await next(request, context)
    }
}
