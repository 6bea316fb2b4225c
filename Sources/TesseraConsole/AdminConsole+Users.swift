import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import NIOCore
import TesseraStorage

/// `/users`: list and search, show, create, disable and enable, reset a password. Every
/// change is written to the audit trail with its result.
extension AdminConsole {
    func addUserRoutes(to router: Router<ConsoleContext>) {
        let accounts = accounts
        let admins = admins
        router.get("/users") { request, _ -> Page<UserItem> in
            let limit = try Self.limit(request)
            let search = request.uri.queryParameters["search"].map(String.init)
            let after = request.uri.queryParameters["cursor"].map(String.init)
            let found = try await accounts.list(search: search, after: after, limit: limit + 1)
            let items = found.prefix(limit).map(UserItem.init)
            return Page(items: Array(items), next: found.count > limit ? items.last?.name : nil)
        }
        router.get("/users/{name}") { _, context -> UserItem in
            let name = try Self.pathName(context)
            guard let account = try await accounts.summary(named: name) else { throw Self.noUser(name) }
            return UserItem(account)
        }
        router.post("/users") { request, context -> EditedResponse<UserItem> in
            let body = try await Self.body(NewUser.self, request, context)
            return try await Self.audited(admins, context, action: "create user", target: body.name) {
                do {
                    _ = try await accounts.create(name: body.name, password: body.password)
                } catch let error as AccountError {
                    switch error {
                    case .nameTaken: throw Problem(.conflict, "name-taken", "The name is taken", detail: "\(error)")
                    default: throw Problem(.badRequest, "invalid-body", "Invalid account", detail: "\(error)")
                    }
                }
                if body.admin == true { try await admins.setAdmin(name: body.name, true) }
                guard let account = try await accounts.summary(named: body.name) else { throw Self.noUser(body.name) }
                return EditedResponse(status: .created, headers: [.location: "/users/" + (account.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? account.name)], response: UserItem(account))
            }
        }
        for (path, disabled) in [("disable", true), ("enable", false)] {
            router.post("/users/{name}/\(path)") { _, context -> UserItem in
                let name = try Self.pathName(context)
                return try await Self.audited(admins, context, action: "\(path) user", target: name) {
                    let changed: Bool
                    do {
                        changed = try await accounts.setDisabled(name: name, disabled)
                    } catch let error as AdminError {
                        guard case .lastActiveAdmin = error else { throw error }
                        throw Self.lastAdmin(error)
                    }
                    guard changed, let account = try await accounts.summary(named: name) else { throw Self.noUser(name) }
                    return UserItem(account)
                }
            }
        }
        router.post("/users/{name}/password") { request, context -> HTTPResponse.Status in
            let name = try Self.pathName(context)
            let body = try await Self.body(NewPassword.self, request, context)
            return try await Self.audited(admins, context, action: "reset password", target: name) {
                guard body.password.count >= 8 else {
                    throw Problem(.badRequest, "invalid-body", "Invalid password", detail: "\(AccountError.weakPassword)")
                }
                guard try await accounts.setPassword(name: name, password: body.password) else { throw Self.noUser(name) }
                return .noContent
            }
        }
    }

    /// The `{name}` of the path, percent-decoded (names may hold spaces and any UTF-8).
    static func pathName(_ context: ConsoleContext) throws -> String {
        let raw = try context.parameters.require("name")
        return raw.removingPercentEncoding ?? raw
    }

    /// 409 for a change that would leave the grid without an enabled admin.
    static func lastAdmin(_ error: AdminError) -> Problem {
        Problem(.conflict, "last-admin", "The last enabled admin cannot be disabled", detail: "\(error)")
    }

    static func noUser(_ name: String) -> Problem {
        Problem(.notFound, "not-found", "No such account", detail: "no account is named \(name)")
    }

    /// The JSON body as `T`: 413 over `ConsoleContext.maxBodyBytes`, 400 naming the field for a
    /// string the grid cannot store (`ConsoleInput`), 400 for anything but JSON of that shape.
    static func body<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ConsoleContext) async throws -> T {
        let data = try await bodyData(request, context, limit: context.maxUploadSize)
        try ConsoleInput.checkJSON(data)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw Problem(.badRequest, "invalid-body", "The request body is not valid JSON of the expected shape", detail: "\(error)")
        }
    }

    /// The whole body, at most `limit` bytes: 413 beyond, 400 when it ends before its length
    /// (the client went away, or the idle timeout closed it).
    static func bodyData(_ request: Request, _ context: ConsoleContext, limit: Int) async throws -> Data {
        do {
            return Data(buffer: try await request.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw Problem.tooLarge(limit)
        } catch {
            throw Problem(.badRequest, "invalid-body", "The request body could not be read", detail: "\(error)")
        }
    }

    /// Runs an admin action and writes it to the audit trail (`GridControl.audit`).
    static func audited<T>(
        _ admins: AdminStore, _ context: ConsoleContext, action: String, target: String, detail: String = "", _ body: () async throws -> T
    ) async throws -> T {
        try await GridControl.audit(admins, context.identity, action: action, target: target, detail: detail, body)
    }
}

struct NewUser: Decodable {
    var name: String
    var password: String
    var admin: Bool?
}

struct NewPassword: Decodable {
    var password: String
}

struct UserItem: ResponseEncodable, Sendable {
    var id: String
    var name: String
    var admin: Bool
    var disabled: Bool
    var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, admin, disabled
        case createdAt = "created_at"
    }

    init(_ account: AccountSummary) {
        id = account.id.uuidString.lowercased()
        name = account.name
        admin = account.isAdmin
        disabled = account.disabled
        createdAt = consoleDate(account.createdAt)
    }
}
