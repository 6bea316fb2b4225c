/// Second Life's permission bits, as stored in the `*_mask` columns.
public struct Permissions: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let transfer = Permissions(rawValue: 1 << 13)
    public static let modify = Permissions(rawValue: 1 << 14)
    public static let copy = Permissions(rawValue: 1 << 15)
    public static let move = Permissions(rawValue: 1 << 19)
    public static let all = Permissions(rawValue: 0x7FFF_FFFF)
}

/// The five masks of an item or object.
public struct PermissionMasks: Sendable, Hashable {
    public var base: Permissions
    public var owner: Permissions
    public var group: Permissions
    public var everyone: Permissions
    public var nextOwner: Permissions

    public init(base: Permissions, owner: Permissions, group: Permissions = [], everyone: Permissions = [], nextOwner: Permissions) {
        self.base = base
        self.owner = owner
        self.group = group
        self.everyone = everyone
        self.nextOwner = nextOwner
    }

    /// Full rights for the owner and for every next owner.
    public static let full = PermissionMasks(base: .all, owner: .all, nextOwner: .all)

    /// What the next owner receives: owner and base masks cut down by the next-owner mask.
    public var forNextOwner: PermissionMasks {
        PermissionMasks(
            base: base.intersection(nextOwner), owner: owner.intersection(nextOwner),
            group: group.intersection(nextOwner), everyone: everyone.intersection(nextOwner), nextOwner: nextOwner
        )
    }
}
