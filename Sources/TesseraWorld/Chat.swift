/// How loudly something is said; each has Second Life's range.
public enum ChatType: UInt8, Sendable, CaseIterable {
    case whisper = 0
    case say = 1
    case shout = 2
    /// Heard everywhere in the speaker's region (objects only: `llRegionSay`, never on channel 0).
    case regionSay = 3
    /// Heard by the speaking object's owner alone (objects only: `llOwnerSay`).
    case ownerSay = 4

    /// Metres within which the message is heard; region-wide and owner-only chat are not
    /// limited by distance.
    public var range: Float {
        switch self {
        case .whisper: 10
        case .say: 20
        case .shout: 100
        case .regionSay, .ownerSay: .infinity
        }
    }

    /// Only objects speak this way; clients may not send it.
    public var isObjectOnly: Bool { self == .regionSay || self == .ownerSay }

    /// Whether a client may send it (the others are objects' own).
    public var spokenByAvatars: Bool { !isObjectOnly }
}

public enum ChatChannel {
    /// The channel avatars speak and hear on; other channels are for listeners such as scripts.
    public static let publicChannel: Int32 = 0
    /// Script errors; in Second Life heard region-wide by owners.
    public static let debugChannel: Int32 = 2_147_483_647
}

/// Longest chat text, in UTF-8 bytes, as in Second Life.
public let maxChatBytes = 1023
