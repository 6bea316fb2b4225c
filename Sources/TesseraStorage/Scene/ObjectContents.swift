import Foundation
import Logging
import NIOCore
import PostgresNIO
import TesseraWorld

/// An object's colour and floating text as stored (`scene_objects.color`, `floating_text`,
/// `floating_text_color`).
public struct PersistedLook: Sendable, Hashable {
    /// The longest floating text, in UTF-8 bytes (the column's check).
    public static let maxTextBytes = 254

    /// RGBA, each in 0…1.
    public var color: SIMD4<Float>
    /// Empty for none.
    public var text: String
    /// RGBA, each in 0…1.
    public var textColor: SIMD4<Float>

    public static let plain = PersistedLook(color: SIMD4(1, 1, 1, 1), text: "", textColor: SIMD4(1, 1, 1, 1))

    public init(color: SIMD4<Float>, text: String, textColor: SIMD4<Float>) {
        self.color = color
        self.text = text
        self.textColor = textColor
    }

    var colorArray: [Float] { [color.x, color.y, color.z, color.w] }
    var textColorArray: [Float] { [textColor.x, textColor.y, textColor.z, textColor.w] }

    /// Why this look cannot be stored, or nil.
    public var storageProblem: String? {
        if StorableText.containsNUL(text) { return "floating text contains U+0000 (NUL), which cannot be stored" }
        if text.utf8.count > Self.maxTextBytes { return "floating text has \(text.utf8.count) bytes, at most \(Self.maxTextBytes) allowed" }
        for component in colorArray + textColorArray where !(component >= 0 && component <= 1) {
            return "colour component \(component) is not in 0…1"
        }
        return nil
    }
}

/// One item of an object's contents as stored (`object_contents`).
public struct PersistedContent: Sendable, Hashable {
    /// The wire's `ContentKind`.
    public enum Kind: Int16, Sendable, Hashable {
        case script = 1
        case object = 2
    }

    /// Most items one holder has (`ContentItem.maxItems`).
    public static let maxItems = 16
    /// Longest item name in UTF-8 bytes (the wire's name limit).
    public static let maxNameBytes = 63
    /// Largest script checkpoint (`ContentItem.maxStateBytes`).
    public static let maxStateBytes = 131_072
    /// Largest encoded object template (the column's check).
    public static let maxTemplateBytes = 4 << 20

    public var id: UUID
    public var name: String
    public var kind: Kind
    /// Scripts: the LSL source asset (required). Objects: nil, or an asset of the object.
    public var assetID: Data?
    /// Scripts: false once stopped by the owner.
    public var running: Bool
    /// Scripts: the script service's latest checkpoint; nil starts fresh.
    public var state: Data?
    /// Objects: the encoded `ObjectTemplate`.
    public var template: Data?
    /// Scripts: the source, read from the asset's data by the loads (never written).
    public var source: String?

    public init(
        id: UUID, name: String, kind: Kind, assetID: Data?, running: Bool = true, state: Data? = nil, template: Data? = nil,
        source: String? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.assetID = assetID
        self.running = running
        self.state = state
        self.template = template
        self.source = source
    }

    /// Why this item cannot be stored, or nil.
    public var storageProblem: String? {
        if StorableText.containsNUL(name) { return "name contains U+0000 (NUL), which cannot be stored" }
        if name.isEmpty || name.utf8.count > Self.maxNameBytes {
            return "name has \(name.utf8.count) bytes, 1 to \(Self.maxNameBytes) allowed"
        }
        if let assetID, assetID.count != 32 { return "asset id has \(assetID.count) bytes, not 32" }
        if let state, state.count > Self.maxStateBytes { return "state has \(state.count) bytes, at most \(Self.maxStateBytes) allowed" }
        if let template, template.count > Self.maxTemplateBytes {
            return "template has \(template.count) bytes, at most \(Self.maxTemplateBytes) allowed"
        }
        switch kind {
        case .script:
            if assetID == nil { return "a script needs its source asset" }
            if template != nil { return "a script has no object template" }
        case .object:
            if template == nil { return "an object item needs its template" }
            if state != nil { return "an object item has no script state" }
        }
        return nil
    }

    /// Why a holder's list cannot be stored, or nil: too many items, two sharing a name or
    /// an id, or one item's own problem (named with its place and name).
    public static func problem(of contents: [PersistedContent]) -> String? {
        guard contents.count <= maxItems else { return "holds \(contents.count) content items, at most \(maxItems) allowed" }
        for (index, item) in contents.enumerated() {
            if let problem = item.storageProblem { return "content item \(index) (\(item.name.debugDescription)): \(problem)" }
        }
        guard Set(contents.map(\.name)).count == contents.count else { return "two content items share a name" }
        guard Set(contents.map(\.id)).count == contents.count else { return "two content items share an id" }
        return nil
    }
}

/// Reads and writes `object_contents` inside the stores' transactions.
enum ContentRows {
    /// Who holds a list of contents.
    enum Holder {
        case object(UUID)
        case item(UUID)
    }

    /// Replaces the object's contents rows with `contents`.
    static func replace(_ connection: PostgresConnection, object: UUID, _ contents: [PersistedContent], logger: Logger) async throws {
        _ = try await connection.query("DELETE FROM object_contents WHERE object_id = \(object)", logger: logger)
        try await insert(connection, holder: .object(object), contents, logger: logger)
    }

    /// Inserts the rows of `contents` for the holder, in one statement (the caller removed any
    /// earlier rows).
    static func insert(_ connection: PostgresConnection, object: UUID, _ contents: [PersistedContent], logger: Logger) async throws {
        try await insert(connection, holder: .object(object), contents, logger: logger)
    }

    static func insert(_ connection: PostgresConnection, holder: Holder, _ contents: [PersistedContent], logger: Logger) async throws {
        guard !contents.isEmpty else { return }
        let objectID: UUID?
        let itemID: UUID?
        switch holder {
        case .object(let id): (objectID, itemID) = (id, nil)
        case .item(let id): (objectID, itemID) = (nil, id)
        }
        func bytes(_ data: Data?) -> ByteBuffer { ByteBuffer(bytes: data ?? Data()) }
        let ids = contents.map(\.id)
        let names = contents.map(\.name)
        let kinds = contents.map(\.kind.rawValue)
        let assets = contents.map { bytes($0.assetID) }
        let hasAsset = contents.map { $0.assetID != nil }
        let running = contents.map(\.running)
        let states = contents.map { bytes($0.state) }
        let hasState = contents.map { $0.state != nil }
        let templates = contents.map { bytes($0.template) }
        let hasTemplate = contents.map { $0.template != nil }
        _ = try await connection.query("""
            INSERT INTO object_contents (object_id, item_id, id, ordering, name, kind, asset_id, running, state, template)
            SELECT \(objectID), \(itemID), u.id, (u.n - 1)::smallint, u.name, u.kind,
                CASE WHEN u.has_asset THEN u.asset END, u.running,
                CASE WHEN u.has_state THEN u.state END, CASE WHEN u.has_template THEN u.template END
            FROM unnest(\(ids)::uuid[], \(names)::text[], \(kinds)::smallint[], \(assets)::bytea[], \(hasAsset)::boolean[],
                \(running)::boolean[], \(states)::bytea[], \(hasState)::boolean[], \(templates)::bytea[], \(hasTemplate)::boolean[])
                WITH ORDINALITY AS u(id, name, kind, asset, has_asset, running, state, has_state, template, has_template, n)
            """, logger: logger)
    }

    /// The contents of the holders `filter` selects (a clause on `object_contents c`), by
    /// holder, each list in order. Scripts get their source: the asset's data as UTF-8 (a
    /// byte sequence that is not UTF-8 is repaired with U+FFFD, so the compiler reports it).
    static func read(_ connection: PostgresConnection, _ filter: PostgresQuery, logger: Logger) async throws -> [UUID: [PersistedContent]] {
        var query: PostgresQuery = """
            SELECT c.holder, c.id, c.name, c.kind, c.asset_id, c.running, c.state, c.template,
                CASE WHEN c.kind = 1 THEN a.data END
            FROM object_contents c LEFT JOIN assets a ON a.id = c.asset_id
            """
        query.sql += " " + filter.sql + " ORDER BY c.holder, c.ordering"
        query.binds = filter.binds
        var byHolder: [UUID: [PersistedContent]] = [:]
        let rows = try await connection.query(query, logger: logger)
        for try await (holder, id, name, kind, asset, running, state, template, source) in rows.decode(
            (UUID, UUID, String, Int16, Data?, Bool, Data?, Data?, Data?).self
        ) {
            guard let kind = PersistedContent.Kind(rawValue: kind) else { throw SceneStoreError.corruptRow(holder) }
            byHolder[holder, default: []].append(PersistedContent(
                id: id, name: name, kind: kind, assetID: asset, running: running, state: state, template: template,
                source: source.map { String(decoding: $0, as: UTF8.self) }))
        }
        return byHolder
    }
}
