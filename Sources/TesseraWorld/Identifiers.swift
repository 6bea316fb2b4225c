import Foundation

/// A region-local entity id (avatars and objects share the space), like Second Life's LocalID.
/// Zero is never assigned.
public typealias LocalID = UInt32

/// The grid-wide identity of an avatar.
public typealias AgentID = UUID

/// What an entity is, as clients see it.
public enum EntityKind: UInt8, Sendable, CaseIterable {
    case avatar = 1
    case object = 2
}

/// The primitive shapes an object can have in this version.
public enum Shape: UInt8, Sendable, CaseIterable {
    case box = 1
    case sphere = 2
    case cylinder = 3
}

/// Longest entity or avatar name, in UTF-8 bytes (Second Life's object name limit).
public let maxNameBytes = 63
