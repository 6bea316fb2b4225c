import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TesseraLLUDP

/// What a successful `login_to_simulator` gave a bot: its identity, the circuit code, the start
/// region's endpoint and handle, and the seed capability.
struct LLUDPLoginGrant: Sendable {
    var agentID: UUID
    var sessionID: UUID
    var circuitCode: UInt32
    var simIP: String
    var simPort: Int
    /// The start region's handle: x metres << 32 | y metres.
    var regionHandle: UInt64
    var seedCapability: String
}

/// Why a bot's login did not give it a grant.
struct LLUDPLoginFailure: Error, CustomStringConvertible {
    var description: String
}

/// The XML-RPC login as a viewer performs it: `login_to_simulator` with the name split in
/// first and last, `passwd` as `$1$` and the MD5 of the password, and a start location.
enum LLUDPLogin {
    static let maxReplyBytes = 1 << 20

    /// `uri:Region&128&128&25` for a region name, `last` without one; a start already in the
    /// viewer's form (`uri:Region&x&y&z`, `home`, `last`) is passed as it is.
    static func start(region: String) -> String {
        if region.isEmpty { return "last" }
        if region.hasPrefix("uri:") || region == "home" || region == "last" { return region }
        return "uri:\(region)&128&128&25"
    }

    /// The avatar name as a viewer's first and last name ("Resident" when there is one word).
    static func split(_ name: String) -> (first: String, last: String) {
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : (name, "Resident")
    }

    /// The name an avatar's NameValue pair stands for ("Resident" dropped again).
    static func join(first: String, last: String) -> String {
        last == "Resident" || last.isEmpty ? first : "\(first) \(last)"
    }

    static func request(name: String, password: String, start: String) -> String {
        let (first, last) = split(name)
        let options: [XMLRPCValue] = ["inventory-root", "inventory-skeleton", "buddy-list", "login-flags"].map { .string($0) }
        let parameters: [String: XMLRPCValue] = [
            "first": .string(first), "last": .string(last),
            "passwd": .string("$1$" + ViewerLoginRequest.md5Hex(password)),
            "start": .string(start), "channel": .string("Tessera Bots"), "version": .string("1.0"),
            "platform": .string("lnx"), "mac": .string(String(repeating: "0", count: 32)), "id0": .string(""),
            "agree_to_tos": .int(1), "read_critical": .int(1), "options": .array(options),
        ]
        return XMLRPCRequest(methodName: ViewerLoginRequest.methodName, params: [.struct(parameters)]).encode()
    }

    /// Logs in at `uri`; a refusal or a malformed answer throws with what was wrong.
    static func login(uri: String, name: String, password: String, start: String, http: HTTPClient) async throws -> LLUDPLoginGrant {
        var request = HTTPClientRequest(url: uri)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml")
        request.body = .bytes(ByteBuffer(string: self.request(name: name, password: password, start: start)))
        let response = try await http.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: maxReplyBytes)
        guard response.status == .ok else {
            throw LLUDPLoginFailure(description: "the login answered HTTP \(response.status.code)")
        }
        return try grant(Array(buffer: body))
    }

    /// The grant in a login reply, or the refusal's reason and message as the error.
    static func grant(_ body: [UInt8]) throws -> LLUDPLoginGrant {
        let reply: XMLRPCValue
        switch try XMLRPCResponse.parse(body) {
        case .fault(let code, let message):
            throw LLUDPLoginFailure(description: "login fault \(code): \(message)")
        case .value(let value):
            reply = value
        }
        guard reply["login"]?.stringValue == "true" else {
            let reason = reply["reason"]?.stringValue ?? "?"
            let message = reply["message"]?.stringValue ?? "?"
            throw LLUDPLoginFailure(description: "login refused (\(reason)): \(message)")
        }
        func string(_ key: String) throws -> String {
            guard let value = reply[key]?.stringValue else { throw LLUDPLoginFailure(description: "the login reply has no string \(key)") }
            return value
        }
        func uuid(_ key: String) throws -> UUID {
            guard let value = UUID(uuidString: try string(key)) else { throw LLUDPLoginFailure(description: "the login reply's \(key) is not a UUID") }
            return value
        }
        func int(_ key: String) throws -> Int64 {
            if let value = reply[key]?.intValue { return Int64(value) }
            if let text = reply[key]?.stringValue, let value = Int64(text) { return value }
            throw LLUDPLoginFailure(description: "the login reply has no integer \(key)")
        }
        let code = try int("circuit_code")
        let port = try int("sim_port")
        let x = try int("region_x")
        let y = try int("region_y")
        guard let circuitCode = UInt32(exactly: code), (1...65535).contains(port),
            let regionX = UInt32(exactly: x), let regionY = UInt32(exactly: y)
        else {
            throw LLUDPLoginFailure(description: "the login reply's circuit_code \(code), sim_port \(port) or region \(x), \(y) is out of range")
        }
        return LLUDPLoginGrant(
            agentID: try uuid("agent_id"), sessionID: try uuid("session_id"), circuitCode: circuitCode,
            simIP: try string("sim_ip"), simPort: Int(port), regionHandle: UInt64(regionX) << 32 | UInt64(regionY),
            seedCapability: try string("seed_capability"))
    }
}
