import Foundation
import HTTPTypes
import Hummingbird

/// The web viewer (docs/viewer.md), served by every client manager on its client port:
/// `/viewer/` is the page and its modules, `/viewer/three/build/` and
/// `/viewer/three/examples/jsm/` are three.js from the system's installed copy (Debian's
/// libjs-three), never a copy in the repository.
public struct ViewerFiles: Sendable {
    /// Where the viewer's own files are: `TESSERA_VIEWER_DIR` when set (a development checkout,
    /// read at each request), otherwise the copy bundled with the program.
    public var folder: String?
    /// The installed three.js (`TESSERA_THREE_DIR`, default `/usr/share/javascript/three`).
    public var three: String

    public static let defaultThree = "/usr/share/javascript/three"

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let override = environment["TESSERA_VIEWER_DIR"], !override.isEmpty {
            folder = override
        } else {
            folder = Bundle.module.url(forResource: "viewer", withExtension: nil)?.path
        }
        three = environment["TESSERA_THREE_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultThree
    }

    /// Why the viewer cannot be served, or nil when it can: for the log at start.
    public var problem: String? {
        var isFolder: ObjCBool = false
        guard let folder, FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            return "the viewer's files are missing (\(folder ?? "no bundled copy")); /viewer/ answers 404"
        }
        guard FileManager.default.fileExists(atPath: three + "/build/three.module.js") else {
            return "three.js is not installed at \(three) (apt-get install -y libjs-three); the viewer cannot draw"
        }
        return nil
    }

    /// The page's policy: its own files only, no inline script or style, connections only back
    /// to this client manager (its WebSocket at /ws).
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Adds the routes: a redirect from `/viewer` to `/viewer/`, and the files as a fallback
    /// behind every route (Hummingbird's file middleware: no `..`, ETag, ranges).
    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        // A route is wrapped in the middlewares added before it: these go first.
        router.add(middleware: ViewerHeadersMiddleware())
        if let folder {
            router.add(middleware: ViewerFolderMiddleware(folder: folder))
        }
        let cached = CacheControl([(MediaType(type: .any), [.maxAge(3600)])])
        router.add(middleware: FileMiddleware(three + "/build", urlBasePath: "/viewer/three/build", cacheControl: cached))
        router.add(middleware: FileMiddleware(three + "/examples/jsm", urlBasePath: "/viewer/three/examples/jsm", cacheControl: cached))
        // The page's address is /viewer/: relative module imports resolve against it. (The
        // router takes "/viewer/" for "/viewer" too; that one is the folder's index, served by
        // the middleware above when this throws.)
        router.get("/viewer") { request, _ -> Response in
            guard request.uri.path == "/viewer" else { throw HTTPError(.notFound) }
            return Response(status: .movedPermanently, headers: [.location: "/viewer/"])
        }
    }
}

/// Serves the viewer's own folder under /viewer/ (and index.html for /viewer/), but never the
/// three.js paths, which the middlewares after it answer.
struct ViewerFolderMiddleware<Context: RequestContext>: RouterMiddleware {
    let files: FileMiddleware<Context, LocalFileSystem>

    init(folder: String) {
        files = FileMiddleware(folder, urlBasePath: "/viewer", cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/viewer/"), !path.hasPrefix("/viewer/three/") else { return try await next(request, context) }
        return try await files.handle(request, context: context, next: next)
    }
}

/// The page's security headers on everything under /viewer/, and the first check of its paths:
/// a path whose decoded form holds a control character (a NUL would end the file name the
/// system opens, so that `three.module.js%00.png` opened the script and answered it as an image)
/// or is not valid percent-encoding is refused with 400 before any file is looked up.
struct ViewerHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static func isAcceptable(_ path: String) -> Bool {
        guard let decoded = path.removingPercentEncoding else { return false }
        return !decoded.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/viewer") else { return try await next(request, context) }
        guard Self.isAcceptable(request.uri.path) else {
            throw HTTPError(.badRequest, message: "the path holds a control character or bad percent-encoding")
        }
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = ViewerFiles.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
