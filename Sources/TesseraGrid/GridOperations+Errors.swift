import Foundation
import TesseraGridProtocol
import TesseraStorage
import TesseraWorld

extension GridOperations {
    /// The client-facing status of a store's refusal; nil for failures of the database itself.
    static func status(for error: any Error) -> CallStatus? {
        switch error {
        case let error as AccountError:
            switch error {
            case .badCredentials: CallStatus(.badCredentials, "\(error)")
            case .rateLimited: CallStatus(.rateLimited, "\(error)")
            case .invalidSession: CallStatus(.invalidSession, "\(error)")
            case .invalidName: CallStatus(.invalidName, "\(error)")
            case .nameTaken, .weakPassword: CallStatus(.invalidValue, "\(error)")
            case .disabled: CallStatus(.notAllowed, "\(error)")
            }
        case let error as InventoryError:
            switch error {
            case .unknownAccount: CallStatus(.unknownAvatar, "\(error)")
            case .unknownFolder: CallStatus(.unknownFolder, "\(error)")
            case .unknownItem: CallStatus(.unknownItem, "\(error)")
            case .unknownObject: CallStatus(.unknownEntity, "\(error)")
            case .unknownRegion: CallStatus(.regionUnavailable, "\(error)")
            case .unknownAsset: CallStatus(.unknownAsset, "\(error)")
            case .notOwner, .notAllowed: CallStatus(.notAllowed, "\(error)")
            case .wouldCreateCycle: CallStatus(.wouldCreateCycle, "\(error)")
            case .invalidName: CallStatus(.invalidName, "\(error)")
            case .systemFolderImmutable: CallStatus(.systemFolder, "\(error)")
            }
        case let error as AssetError:
            switch error {
            case .tooLarge: CallStatus(.assetTooLarge, "\(error)")
            case .unknownType: CallStatus(.invalidValue, "\(error)")
            case .invalidName: CallStatus(.invalidName, "\(error)")
            }
        case let error as PasswordCheckQueue.Busy:
            CallStatus(.serviceUnavailable, "\(error)")
        case let error as RegionRegistryError:
            switch error {
            case .positionTaken, .nameTaken: CallStatus(.notAllowed, "\(error)")
            case .unknownRegion: CallStatus(.regionUnavailable, "\(error)")
            }
        default:
            nil
        }
    }
}

extension PersistedObject {
    var record: SceneObjectRecord {
        SceneObjectRecord(
            id: id, owner: ownerID, creator: creatorID, asset: assetID.flatMap(AssetID.init), name: name, shape: shape,
            position: position, rotation: rotation, scale: scale, masks: masks.map { UInt32(bitPattern: $0) },
            physical: physical, reportsCollisions: reportsCollisions)
    }

    init(_ record: SceneObjectRecord) {
        self.init(
            id: record.id, ownerID: record.owner, creatorID: record.creator, name: record.name, shape: record.shape,
            position: record.position, rotation: record.rotation, scale: record.scale,
            masks: record.masks.map { Int32(bitPattern: $0) }, assetID: record.asset?.bytes,
            physical: record.physical, reportsCollisions: record.reportsCollisions)
    }
}

extension InventoryItem {
    var entry: ItemEntry {
        ItemEntry(
            id: id, folder: folderID, asset: AssetID(assetID) ?? AssetID(Data(count: 32))!, assetType: assetType, name: name,
            creator: creatorID, base: UInt32(bitPattern: masks.base.rawValue), owner: UInt32(bitPattern: masks.owner.rawValue),
            group: UInt32(bitPattern: masks.group.rawValue), everyone: UInt32(bitPattern: masks.everyone.rawValue),
            nextOwner: UInt32(bitPattern: masks.nextOwner.rawValue))
    }
}
