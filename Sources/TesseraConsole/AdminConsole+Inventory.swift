import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TesseraStorage
import TesseraWorld

/// `/users/{name}/inventory` (read-only: the folder tree and the items) and `/assets`
/// (metadata, download, upload). Uploads are audited.
extension AdminConsole {
    func addInventoryRoutes(to router: Router<ConsoleContext>) {
        let (accounts, inventory, assets, admins) = (accounts, inventory, assets, admins)
        router.get("/users/{name}/inventory") { _, context -> InventoryTree in
            let name = try Self.pathName(context)
            guard let account = try await accounts.summary(named: name) else { throw Self.noUser(name) }
            let folders = try await inventory.folders(owner: account.id)
            let items = try await inventory.items(owner: account.id)
            return InventoryTree(
                account: account.name,
                folders: folders.map { InventoryTree.Folder(id: $0.id.uuidString.lowercased(), parent: $0.parentID?.uuidString.lowercased(), name: $0.name, kind: Int($0.kind.rawValue)) }
                    .sorted { ($0.parent ?? "", $0.name) < ($1.parent ?? "", $1.name) },
                items: items.map {
                    InventoryTree.Item(
                        id: $0.id.uuidString.lowercased(), folder: $0.folderID.uuidString.lowercased(), name: $0.name,
                        assetID: Self.hex($0.assetID), assetType: Int($0.assetType))
                }.sorted { ($0.folder, $0.name) < ($1.folder, $1.name) })
        }
        router.get("/assets/{id}") { _, context -> AssetItem in
            let id = try Self.assetID(context)
            guard let info = try await assets.info(id: id) else { throw Self.noAsset(id) }
            return AssetItem(info)
        }
        router.get("/assets/{id}/data") { _, context -> Response in
            let id = try Self.assetID(context)
            guard let (_, data) = try await assets.fetch(id: id) else { throw Self.noAsset(id) }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("/assets") { request, context -> EditedResponse<AssetItem> in
            guard let rawType = request.uri.queryParameters["type"], let type = Int16(rawType) else {
                throw Problem(.badRequest, "invalid-parameter", "Invalid query parameter", detail: "type (the asset type number) is required")
            }
            let name = request.uri.queryParameters["name"].map(String.init) ?? ""
            return try await Self.audited(admins, context, action: "upload asset", target: name, detail: "type \(type)") {
                // In bytes: the wire that carries the name to clients holds 63 bytes of UTF-8.
                guard AssetStore.isValidName(name) else {
                    throw Problem(.badRequest, "invalid-parameter", "Invalid query parameter",
                        detail: "name must be at most \(maxNameBytes) bytes of UTF-8, got \(name.utf8.count) bytes (\(name.count) characters)")
                }
                let data = try await Self.bodyData(request, context, limit: AssetStore.maximumSize)
                guard !data.isEmpty else { throw Problem(.badRequest, "invalid-body", "Empty asset", detail: "the body holds the asset's bytes") }
                let id: Data
                do {
                    id = try await assets.store(data: data, type: type, name: name, creator: context.identity?.accountID)
                } catch let error as AssetError {
                    throw Problem(.badRequest, "invalid-asset", "Invalid asset", detail: "\(error)")
                }
                guard let info = try await assets.info(id: id) else { throw Self.noAsset(id) }
                return EditedResponse(status: .created, headers: [.location: "/assets/\(Self.hex(id))"], response: AssetItem(info))
            }
        }
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    static func assetID(_ context: ConsoleContext) throws -> Data {
        let raw = try context.parameters.require("id").lowercased()
        let digits = Array(raw.utf8)
        guard digits.count == 64, let bytes = Optional(stride(from: 0, to: 64, by: 2).compactMap({ UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) })),
            bytes.count == 32
        else { throw Problem(.badRequest, "invalid-parameter", "Invalid asset id", detail: "an asset id is 64 hexadecimal digits (its SHA-256), got \(raw)") }
        return Data(bytes)
    }

    static func noAsset(_ id: Data) -> Problem {
        Problem(.notFound, "not-found", "No such asset", detail: "no asset has the id \(hex(id))")
    }
}

struct InventoryTree: ResponseEncodable, Sendable {
    struct Folder: Encodable, Sendable {
        var id: String
        var parent: String?
        var name: String
        var kind: Int
    }
    struct Item: Encodable, Sendable {
        var id: String
        var folder: String
        var name: String
        var assetID: String
        var assetType: Int

        enum CodingKeys: String, CodingKey {
            case id, folder, name
            case assetID = "asset_id", assetType = "asset_type"
        }
    }
    var account: String
    var folders: [Folder]
    var items: [Item]
}

struct AssetItem: ResponseEncodable, Sendable {
    var id: String
    var type: Int
    var name: String
    var creator: String?
    var size: Int
    var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, type, name, creator, size
        case createdAt = "created_at"
    }

    init(_ info: AssetInfo) {
        id = AdminConsole.hex(info.id)
        type = Int(info.type)
        name = info.name
        creator = info.creatorID?.uuidString.lowercased()
        size = info.size
        createdAt = consoleDate(info.createdAt)
    }
}
