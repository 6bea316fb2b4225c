import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TesseraBots
import TesseraTesting

/// The web viewer's files on the client manager's port: the page's folder, three.js from the
/// system's libjs-three (its build and its modules only), the page's security headers, and
/// nothing outside.
@Suite("The web viewer's files", .serialized)
struct ViewerFilesTests {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var bytes: Int
        var body: String
    }

    /// Redirects are answers to check here, not to follow.
    static let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static func get(_ url: String) async throws -> Answer {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Answer(status: Int(response.status.code), headers: headers, bytes: body.readableBytes, body: String(buffer: body))
    }

    @Test("the page, three.js and its modules are served with the page's policy; other paths are not")
    func served() async throws {
        let grid = try await ScenarioGrid.start()
        let base = grid.url.replacingOccurrences(of: "ws://", with: "http://").replacingOccurrences(of: "/ws", with: "")
        let page = try await Self.get("\(base)/viewer/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.body.contains("<title>"), "the viewer's index.html")
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(page.headers["content-security-policy"]?.contains("connect-src 'self'") == true)
        #expect(page.headers["x-frame-options"] == "DENY")
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(page.headers["cache-control"] == "no-cache")

        let three = try await Self.get("\(base)/viewer/three/build/three.module.js")
        #expect(three.status == 200, "three.js is installed (apt-get install -y libjs-three)")
        #expect(three.headers["content-type"]?.hasPrefix("text/javascript") == true)
        #expect(three.bytes > 500_000)
        let orbit = try await Self.get("\(base)/viewer/three/examples/jsm/controls/OrbitControls.js")
        #expect(orbit.status == 200)
        #expect(orbit.body.contains("../../../build/three.module.js"), "the module imports three.js by the same URL")

        // Only the build and the modules of three.js; nothing else of the system.
        for path in ["/viewer/three/examples/js/WebGL.js", "/viewer/three/", "/viewer/three/build/../../../../etc/passwd", "/viewer/nothing.js", "/viewer/%2e%2e/%2e%2e/Package.swift"] {
            let answer = try await Self.get(base + path)
            #expect([400, 404].contains(answer.status), "\(path): \(answer.status)")
            #expect(!answer.body.contains("root:"))
        }
        // A NUL would cut the file name the system opens: the script must not come back as an image.
        for path in ["/viewer/three/build/three.module.js%00.png", "/viewer/index.html%00.js", "/viewer/%0aindex.html"] {
            let answer = try await Self.get(base + path)
            #expect(answer.status == 400, "\(path) answered \(answer.status) \(answer.headers["content-type"] ?? "")")
        }
        let bare = try await Self.get("\(base)/viewer")
        #expect(bare.status == 301 && bare.headers["location"] == "/viewer/", "relative imports need the trailing slash")
        // The WebSocket endpoint is still there, beside the files.
        let client = try await ScenarioClient.connect(grid.url)
        _ = try await client.login("Filer")
        await client.close()
        await grid.stop()
    }
}
