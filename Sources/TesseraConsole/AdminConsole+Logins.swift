import Foundation
import Hummingbird
import TesseraStorage

/// `/logins`: whether non-admins may log in, and closing or opening the grid to them.
extension AdminConsole {
    func addLoginRoutes(to router: Router<ConsoleContext>) {
        let (gate, control) = (logins, control)
        router.get("/logins") { _, _ -> LoginsItem in LoginsItem(try await gate.state()) }
        router.post("/logins/disable") { request, context -> LoginsItem in
            let body = try await Self.optionalBody(MessageBody.self, request, context)
            return LoginsItem(try await control.disableLogins(message: body?.message ?? "", by: context.identity))
        }
        router.post("/logins/enable") { _, context -> LoginsItem in
            LoginsItem(try await control.enableLogins(by: context.identity))
        }
    }

    static func optionalBody<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ConsoleContext) async throws -> T? {
        guard let length = request.headers[.contentLength].flatMap(Int.init), length > 0 else { return nil }
        return try await body(type, request, context)
    }
}

struct LoginsItem: ResponseEncodable, Sendable {
    var enabled: Bool
    var message: String?

    init(_ state: LoginGate.State) {
        enabled = state.enabled
        message = state.enabled ? nil : state.message
    }
}
