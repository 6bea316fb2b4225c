/// How loudly something is said; each has Second Life's range.
public enum ChatType: UInt8, Sendable, CaseIterable {
    case whisper = 0
    case say = 1
    case shout = 2
    /// Heard in the whole region (`llRegionSay`); only objects say it, never on channel 0.
    case regionSay = 3
    /// Heard by the speaking object's owner alone, wherever they are in the region (`llOwnerSay`).
    case ownerSay = 4

    /// Metres within which the message is heard.
    public var range: Float {
        switch self {
        case .whisper: 10
        case .say: 20
        case .shout: 100
        case .regionSay, .ownerSay: .greatestFiniteMagnitude
        }
    }

    /// Whether a client may send it (the others are objects' own).
    public var spokenByAvatars: Bool { rawValue <= ChatType.shout.rawValue }
}

public enum ChatChannel {
    /// The channel avatars speak and hear on; other channels are for listeners such as scripts.
    public static let publicChannel: Int32 = 0
    /// Script errors; in Second Life heard region-wide by owners.
    public static let debugChannel: Int32 = 2_147_483_647
}

/// Longest chat text, in UTF-8 bytes, as in Second Life.
public let maxChatBytes = 1023
