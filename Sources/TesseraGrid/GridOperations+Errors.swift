import Foundation
import NIOCore
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
            case .invalidViewerPassword: CallStatus(.invalidValue, "\(error)")
            // Refused like a wrong password (the caller shows the message, which says what to do).
            case .noViewerPassword: CallStatus(.badCredentials, "\(error)")
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

extension GridOperations {
    /// A stored object as the grid protocol carries it. A contents item whose stored template
    /// no longer decodes, or whose source could not be carried, is logged and left out, so one
    /// bad row never keeps a region from loading.
    func record(of object: PersistedObject) -> SceneObjectRecord {
        var record = SceneObjectRecord(
            id: object.id, owner: object.ownerID, creator: object.creatorID, asset: object.assetID.flatMap(AssetID.init),
            name: object.name, shape: object.shape, position: object.position, rotation: object.rotation, scale: object.scale,
            masks: object.masks.map { UInt32(bitPattern: $0) }, physical: object.physical, reportsCollisions: object.reportsCollisions,
            look: ObjectLook(object.look))
        for content in object.contents {
            do {
                record.contents.append(try ContentItem(content))
            } catch {
                logger.error("stored contents item left out", metadata: [
                    "object": "\(object.id)", "item": "\(content.id)", "error": "\(error)",
                ])
            }
        }
        return record
    }
}

extension PersistedObject {
    init(_ record: SceneObjectRecord) {
        self.init(
            id: record.id, ownerID: record.owner, creatorID: record.creator, name: record.name, shape: record.shape,
            position: record.position, rotation: record.rotation, scale: record.scale,
            masks: record.masks.map { Int32(bitPattern: $0) }, assetID: record.asset?.bytes,
            physical: record.physical, reportsCollisions: record.reportsCollisions,
            look: PersistedLook(record.look), contents: record.contents.map(PersistedContent.init))
    }
}

extension PersistedLook {
    init(_ look: ObjectLook) {
        self.init(
            color: SIMD4(look.color.x, look.color.y, look.color.z, look.alpha), text: look.text,
            textColor: SIMD4(look.textColor.x, look.textColor.y, look.textColor.z, look.textAlpha))
    }
}

extension ObjectLook {
    init(_ look: PersistedLook) {
        self.init(
            color: Vector3(look.color.x, look.color.y, look.color.z), alpha: look.color.w, text: look.text,
            textColor: Vector3(look.textColor.x, look.textColor.y, look.textColor.z), textAlpha: look.textColor.w)
    }
}

/// Why a stored contents item cannot be carried.
struct ContentConversionError: Error, CustomStringConvertible {
    var description: String
}

extension PersistedContent {
    /// The row of a contents item: the source is not stored (the asset holds it); an object
    /// item's template is stored encoded; the zero asset id of an object item is stored as NULL.
    init(_ item: ContentItem) {
        var template: Data?
        if let value = item.template {
            var buffer = ByteBuffer()
            value.encode(into: &buffer)
            template = Data(buffer.readableBytesView)
        }
        self.init(
            id: item.id, name: item.name, kind: item.kind == .script ? .script : .object,
            assetID: item.asset == ContentItem.noAsset && item.kind == .object ? nil : item.asset.bytes,
            running: item.running, state: item.state.map { Data($0) }, template: template)
    }
}

extension ContentItem {
    init(_ content: PersistedContent) throws {
        let asset: AssetID
        if let bytes = content.assetID {
            guard let id = AssetID(bytes) else { throw ContentConversionError(description: "a stored asset id of \(bytes.count) bytes") }
            asset = id
        } else {
            asset = ContentItem.noAsset
        }
        var template: ObjectTemplate?
        if let bytes = content.template {
            var buffer = ByteBuffer(bytes: bytes)
            template = try ObjectTemplate(from: &buffer)
            guard buffer.readableBytes == 0 else { throw ContentConversionError(description: "\(buffer.readableBytes) bytes after the stored template") }
        }
        var source: String?
        if content.kind == .script {
            guard let text = content.source, text.utf8.count <= ContentItem.maxSourceBytes, !StorableText.containsNUL(text) else {
                throw ContentConversionError(description: "its source is missing, too long or holds U+0000")
            }
            source = text
        }
        self.init(
            id: content.id, name: content.name, kind: content.kind == .script ? .script : .object, asset: asset, source: source,
            running: content.running, state: content.state.map { [UInt8]($0) }, template: template)
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
