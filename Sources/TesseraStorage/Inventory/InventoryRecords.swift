import Foundation

public struct InventoryFolder: Sendable, Hashable {
    public var id: UUID
    public var ownerID: UUID
    public var parentID: UUID?
    public var name: String
    public var kind: FolderKind
}

public struct InventoryItem: Sendable, Hashable {
    public var id: UUID
    public var ownerID: UUID
    public var folderID: UUID
    public var assetID: Data
    public var assetType: Int16
    public var name: String
    public var creatorID: UUID?
    public var masks: PermissionMasks
}
