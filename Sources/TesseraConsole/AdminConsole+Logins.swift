import Foundation
import Hummingbird
import TesseraStorage

/// `/logins`: whether non-admins may log in, and closing or opening the grid to them.
extension AdminConsole {
    func addLoginRoutes(to router: Router<ConsoleContext>) {
        let (gate, admins) = (logins, admins)
        router.get("/logins") { _, _ -> LoginsItem in LoginsItem(try await gate.state()) }
        router.post("/logins/disable") { request, context -> LoginsItem in
            let body = try await Self.optionalBody(LoginsMessage.self, request, context) ?? LoginsMessage(message: nil)
            return try await Self.audited(admins, context, action: "disable logins", target: "grid", detail: body.message ?? "") {
                try await gate.disable(message: body.message ?? "")
                return LoginsItem(try await gate.state())
            }
        }
        router.post("/logins/enable") { _, context -> LoginsItem in
            try await Self.audited(admins, context, action: "enable logins", target: "grid") {
                try await gate.enable()
                return LoginsItem(try await gate.state())
            }
        }
    }

    static func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ConsoleContext) async throws -> T? {
        guard let length = request.headers[.contentLength].flatMap(Int.init), length > 0 else { return nil }
        return try await body(type, request, context)
    }
}

struct LoginsMessage: Decodable {
    var message: String?
}

struct LoginsItem: ResponseEncodable, Sendable {
    var enabled: Bool
    var message: String?

    init(_ state: LoginGate.State) {
        enabled = state.enabled
        message = state.enabled ? nil : state.message
    }
}
