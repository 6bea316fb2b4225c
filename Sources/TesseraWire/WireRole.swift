/// What a peer is, announced in `Hello`.
public enum WireRole: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case grid = 1
    case region = 2
    case clientManager = 3
    case physics = 4
    case scripts = 5
    /// Operator tools holding the grid secret (`tessera bots`).
    case tool = 6

    public var description: String {
        switch self {
        case .grid: "grid"
        case .region: "region"
        case .clientManager: "client-manager"
        case .physics: "physics"
        case .scripts: "scripts"
        case .tool: "tool"
        }
    }
}

/// The version both sides of a connection must speak.
public let wireProtocolVersion: UInt16 = 1
