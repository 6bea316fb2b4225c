/// Names one hand-off on every participant; every message of it carries the id, and every
/// participant treats a repeated message of the same id as the one it already handled.
public struct HandoffID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "handoff-\(rawValue)" }
}

/// Why a destination refused an offer.
public enum HandoffRefusal: UInt8, Sendable, Hashable, CaseIterable {
    case regionFull = 1
    /// The destination has no connection to the avatar's client manager.
    case managerUnknown = 2
    case notAccepting = 3
    case duplicateAgent = 4
}

extension HandoffRefusal {
    /// Why a hand-off into `region` did not happen, for the client; nil means it timed out.
    public static func explanation(_ reason: HandoffRefusal?, region name: String?) -> String {
        let region = name ?? "the destination region"
        return switch reason {
        case .regionFull?: "\(region) is full"
        case .managerUnknown?: "\(region) is not reachable from your client manager"
        case .notAccepting?: "\(region) is not accepting arrivals"
        case .duplicateAgent?: "\(region) already holds this avatar"
        case nil: "\(region) did not answer in time"
        }
    }
}
