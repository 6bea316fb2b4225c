/// Error codes shared by the client protocol and Tessera wire replies
/// (docs/client-protocol.md, "Error codes").
public enum ErrorCode: UInt16, Sendable, CaseIterable {
    case malformedMessage = 1
    case unknownMessageType = 2
    case notLoggedIn = 3
    case alreadyLoggedIn = 4
    case invalidName = 5
    case regionFull = 6
    case regionUnavailable = 7
    case invalidValue = 8
    case unknownEntity = 9
    case notAllowed = 10
    case rateLimited = 11
    case objectLimit = 12
    case serverFull = 13
    case tooSlow = 14
    case unsupportedVersion = 15
    /// Login: unknown name or wrong password (which of the two is not said).
    case badCredentials = 16
    /// Login with a session token that is unknown, expired or revoked.
    case invalidSession = 17
    /// A grid service the request needs is down or did not answer in time; nothing changed.
    case serviceUnavailable = 18
    case unknownFolder = 19
    case unknownItem = 20
    case unknownAsset = 21
    /// Give: no avatar has that name.
    case unknownAvatar = 22
    /// A folder move would put a folder inside itself or its own descendant.
    case wouldCreateCycle = 23
    /// System folders (root, Objects, Trash, ...) cannot be renamed, moved or deleted.
    case systemFolder = 24
    case assetTooLarge = 25
    /// The same account logged in again; this connection's avatar was handed to the new one.
    case loggedInElsewhere = 26
    /// A border crossing or teleport did not happen (the destination refused or did not answer
    /// in time); the avatar stays where it was, pushed back inside the border.
    case handoffFailed = 27
    /// An admin removed the avatar from the grid; the close reason is their message.
    case kicked = 28
    /// The avatar's region is restarting and no neighbour could take the avatar.
    case regionRestarting = 29
}
