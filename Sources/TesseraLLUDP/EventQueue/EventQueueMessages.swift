import Foundation

/// Event-queue events that no template message describes, and the event envelope.
public enum EventQueueMessages {
    /// `{"message": name, "body": body}`: one event as the answer's `events` array carries it.
    public static func event(_ message: String, body: LLSD) -> LLSD {
        .map(["message": .string(message), "body": body])
    }

    /// Tells the viewer to open a circuit and fetch the capabilities of another simulator (a
    /// neighbour, or the destination of a crossing or teleport): `agent-id` (uuid),
    /// `sim-ip-and-port` (string `a.b.c.d:port`) and `seed-capability` (string).
    public static func establishAgentCommunication(agent: UUID, simIP: String, simPort: UInt16, seed: String) -> LLSD {
        event("EstablishAgentCommunication", body: .map([
            "agent-id": .uuid(agent),
            "sim-ip-and-port": .string("\(simIP):\(simPort)"),
            "seed-capability": .string(seed),
        ]))
    }
}

/// An `EventQueueGet` request body, validated: `{"ack": id or undef, "done": boolean}`.
public struct EventQueuePollRequest: Sendable, Equatable {
    /// The largest body read; a viewer's is about 150 bytes.
    public static let maxBytes = 4096
    public static let maxDepth = 4

    public var ack: Int32?
    public var done: Bool

    public init(ack: Int32?, done: Bool = false) {
        self.ack = ack
        self.done = done
    }

    /// Reads the POST body. An empty body is a first poll (no ack, not done). `ack` may be
    /// undef, absent or an integer; `done` absent, a boolean or an integer (0 is false). Anything else is refused.
    public init(body: [UInt8]) throws(EventQueuePollError) {
        guard !body.allSatisfy(XMLTree.isWhitespace) else {
            ack = nil
            done = false
            return
        }
        let value: LLSD
        do {
            value = try LLSDXML.decode(body, maxDepth: Self.maxDepth, maxBytes: Self.maxBytes)
        } catch {
            throw .llsd(error)
        }
        guard case .map(let map) = value else { throw .notAMap }
        switch map["ack"] {
        case nil, .undefined?: ack = nil
        case .integer(let id)?: ack = id
        case let other?: throw .badField("ack", LLSDXML.element(other))
        }
        switch map["done"] {
        case nil, .undefined?: done = false
        case .boolean(let flag)?: done = flag
        // Some clients write the flag as an integer (0 or 1).
        case .integer(let flag)?: done = flag != 0
        case let other?: throw .badField("done", LLSDXML.element(other))
        }
    }
}

public enum EventQueuePollError: Error, Equatable, Sendable, CustomStringConvertible {
    case llsd(LLSDXMLError)
    case notAMap
    case badField(String, String)

    public var description: String {
        switch self {
        case .llsd(let error): "EventQueueGet body: \(error)"
        case .notAMap: "EventQueueGet body is not a map"
        case .badField(let field, let value): "EventQueueGet \(field) is \(LLSDXML.clip(value))"
        }
    }
}
