/// The `kind` column of `inventory_folders`: 0 an ordinary folder, 1 the root, 2... system folders.
/// Each account has exactly one root and at most one folder of each system kind.
public enum FolderKind: Int16, Sendable, CaseIterable {
    case ordinary = 0
    case root = 1
    case objects = 2
    case textures = 3
    case notecards = 4
    case scripts = 5
    case trash = 6
    case lostAndFound = 7

    /// The folders `createInventory` makes under the root.
    public static let systemFolders: [FolderKind] = [.objects, .textures, .notecards, .scripts, .trash, .lostAndFound]

    public var isSystem: Bool { self != .ordinary }

    public var defaultName: String {
        switch self {
        case .ordinary: "New Folder"
        case .root: "My Inventory"
        case .objects: "Objects"
        case .textures: "Textures"
        case .notecards: "Notecards"
        case .scripts: "Scripts"
        case .trash: "Trash"
        case .lostAndFound: "Lost And Found"
        }
    }
}
