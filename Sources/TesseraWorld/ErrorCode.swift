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
}
