import Foundation
import Logging
import PostgresNIO
import TesseraWorld

/// An object of a region as it is persisted.
public struct PersistedObject: Sendable, Hashable {
    public var id: UUID
    public var ownerID: UUID
    public var creatorID: UUID?
    /// The object asset it was rezzed from; nil for objects built in the world.
    public var assetID: Data?
    public var name: String
    public var shape: Shape
    public var position: Vector3
    public var rotation: Quaternion
    public var scale: Vector3
    /// base, owner, group, everyone, next owner (Second Life's permission masks).
    public var masks: [Int32]
    public var physical: Bool
    public var reportsCollisions: Bool
    /// Its colour and floating text.
    public var look: PersistedLook
    /// Its inventory (`object_contents`), in order.
    public var contents: [PersistedContent]

    public init(
        id: UUID, ownerID: UUID, creatorID: UUID?, name: String, shape: Shape,
        position: Vector3, rotation: Quaternion, scale: Vector3, masks: [Int32], assetID: Data? = nil,
        physical: Bool = false, reportsCollisions: Bool = false, look: PersistedLook = .plain, contents: [PersistedContent] = []
    ) {
        self.look = look
        self.contents = contents
        self.physical = physical
        self.reportsCollisions = reportsCollisions
        self.id = id
        self.assetID = assetID
        self.ownerID = ownerID
        self.creatorID = creatorID
        self.name = name
        self.shape = shape
        self.position = position
        self.rotation = rotation
        self.scale = scale
        self.masks = masks
    }
}

/// A region's objects in the database. Regions flush a whole snapshot on a slow cadence and at
/// shutdown (`save`), never one position at a time, and read it back when they start.
public struct SceneStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Makes the stored scene of `region` equal to `objects` in one transaction: upserts every
    /// object and deletes the region's rows that are not among them. Objects that cannot be
    /// stored are left out (their stored rows, if any, are kept) and returned with the reason;
    /// they never keep the others from being stored.
    @discardableResult
    public func save(region: UUID, objects: [PersistedObject]) async throws -> [RefusedObject] {
        let (storable, refused) = Self.partition(objects)
        let failed = try await isolatingRows(storable) { connection, object in
            try await upsert(connection, object, region: region)
        } finally: { connection in
            let kept = objects.map(\.id)
            _ = try await connection.query(
                "DELETE FROM scene_objects WHERE region_id = \(region) AND NOT (id = ANY(\(kept)))", logger: logger
            )
        }
        return report(refused + failed, region: region)
    }

    /// A region's periodic flush, in one transaction: objects built since the last flush are
    /// inserted, objects already stored that changed are updated (never re-inserted: an
    /// object a `take` removed while this flush was on its way stays removed), and objects
    /// that left the scene are deleted. Objects that cannot be stored are left out and
    /// returned with the reason; one bad object never blocks the rest of the flush.
    @discardableResult
    public func flush(region: UUID, created: [PersistedObject], changed: [PersistedObject], deleted: [UUID]) async throws -> [RefusedObject] {
        let (storableCreated, refusedCreated) = Self.partition(created)
        let (storableChanged, refusedChanged) = Self.partition(changed)
        let inserted = Set(storableCreated.map(\.id))
        let failed = try await isolatingRows(storableCreated + storableChanged) { connection, object in
            if inserted.contains(object.id) {
                try await upsert(connection, object, region: region)
                return
            }
            let position = [object.position.x, object.position.y, object.position.z]
            let rotation = [object.rotation.x, object.rotation.y, object.rotation.z, object.rotation.w]
            let scale = [object.scale.x, object.scale.y, object.scale.z]
            let look = object.look
            // The object's contents rows go with the update, and only when the row is still
            // this region's (a take or a crossing may have taken it since).
            var updated = false
            for try await _ in try await connection.query("""
                WITH updated AS (
                    UPDATE scene_objects SET name = \(object.name), position = \(position), rotation = \(rotation),
                        scale = \(scale), physical = \(object.physical), reports_collisions = \(object.reportsCollisions),
                        color = \(look.colorArray), floating_text = \(look.text), floating_text_color = \(look.textColorArray),
                        updated_at = now()
                    WHERE id = \(object.id) AND region_id = \(region)
                    RETURNING id),
                gone AS (DELETE FROM object_contents WHERE object_id IN (SELECT id FROM updated))
                SELECT id FROM updated
                """, logger: logger).decode(UUID.self) { updated = true }
            if updated { try await ContentRows.insert(connection, object: object.id, object.contents, logger: logger) }
        } finally: { connection in
            if !deleted.isEmpty {
                _ = try await connection.query(
                    "DELETE FROM scene_objects WHERE region_id = \(region) AND id = ANY(\(deleted))", logger: logger)
            }
        }
        return report(refusedCreated + refusedChanged + failed, region: region)
    }

    /// An object a save or flush left out, and why.
    public struct RefusedObject: Sendable, Hashable {
        public var id: UUID
        public var reason: String
    }

    /// Splits objects into those PostgreSQL can store and those it cannot (checked here, before
    /// any statement, so a refusal costs no round trip and aborts no transaction).
    static func partition(_ objects: [PersistedObject]) -> (storable: [PersistedObject], refused: [RefusedObject]) {
        var storable: [PersistedObject] = []
        var refused: [RefusedObject] = []
        storable.reserveCapacity(objects.count)
        for object in objects {
            if let problem = object.storageProblem {
                refused.append(RefusedObject(id: object.id, reason: problem))
            } else {
                storable.append(object)
            }
        }
        return (storable, refused)
    }

    /// Writes every row in one transaction. When the server refuses a row anyway (a check this
    /// store does not know of), the transaction is run again with a savepoint around each row,
    /// so the refused rows are left out and every other row is stored.
    private func isolatingRows(
        _ rows: [PersistedObject],
        _ write: @escaping @Sendable (PostgresConnection, PersistedObject) async throws -> Void,
        finally: @escaping @Sendable (PostgresConnection) async throws -> Void
    ) async throws -> [RefusedObject] {
        do {
            try await inTransaction(client, logger: logger, timeout: .seconds(10)) { connection in
                for row in rows { try await write(connection, row) }
                try await finally(connection)
            }
            return []
        } catch where sqlState(of: error).map(Self.isRowRefusal) == true {
            return try await inTransaction(client, logger: logger, timeout: .seconds(20)) { connection in
                var failed: [RefusedObject] = []
                for row in rows {
                    _ = try await connection.query("SAVEPOINT scene_row", logger: logger)
                    do {
                        try await write(connection, row)
                        _ = try await connection.query("RELEASE SAVEPOINT scene_row", logger: logger)
                    } catch where sqlState(of: error).map(Self.isRowRefusal) == true {
                        _ = try await connection.query("ROLLBACK TO SAVEPOINT scene_row", logger: logger)
                        failed.append(RefusedObject(id: row.id, reason: "refused by the database: \(String(reflecting: error).prefix(200))"))
                    }
                }
                try await finally(connection)
                return failed
            }
        }
    }

    /// SQLSTATE classes that blame one row's data: data exceptions (22) and integrity (23).
    private static func isRowRefusal(_ state: String) -> Bool {
        state.hasPrefix("22") || state.hasPrefix("23")
    }

    private func report(_ refused: [RefusedObject], region: UUID) -> [RefusedObject] {
        for object in refused {
            logger.error("scene object not stored", metadata: [
                "region": "\(region)", "object": "\(object.id)", "reason": "\(object.reason)",
            ])
        }
        return refused
    }

    public enum MoveOutcome: Sendable, Equatable {
        case moved
        case noSuchRegion
        /// The row belongs to a third region: neither the source nor the destination.
        case heldElsewhere
    }

    /// Moves a crossing object's row to the region at the grid position, in one transaction:
    /// its new position and region together. A row not stored yet (built in the world and not
    /// flushed) is inserted there. Moving a row that already belongs to the destination is
    /// answered `moved`, so a source that asks again after a timeout learns the outcome.
    public func move(_ object: PersistedObject, from source: UUID, toGridX x: Int32, gridY y: Int32) async throws -> MoveOutcome {
        try await inTransaction(client, logger: logger, timeout: .seconds(10)) { connection in
            var destination: UUID?
            for try await id in try await connection.query(
                "SELECT id FROM regions WHERE grid_x = \(x) AND grid_y = \(y)", logger: logger
            ).decode(UUID.self) { destination = id }
            guard let destination else { return .noSuchRegion }
            var holder: UUID?
            var exists = false
            for try await region in try await connection.query(
                "SELECT region_id FROM scene_objects WHERE id = \(object.id) FOR UPDATE", logger: logger
            ).decode(UUID.self) {
                holder = region
                exists = true
            }
            if exists, holder != source, holder != destination { return .heldElsewhere }
            try await upsert(connection, object, region: destination)
            return .moved
        }
    }

    private func upsert(_ connection: PostgresConnection, _ object: PersistedObject, region: UUID) async throws {
        guard object.masks.count == 5 else { throw SceneStoreError.badMasks(object.id) }
        let position = [object.position.x, object.position.y, object.position.z]
        let rotation = [object.rotation.x, object.rotation.y, object.rotation.z, object.rotation.w]
        let scale = [object.scale.x, object.scale.y, object.scale.z]
        let look = object.look
        _ = try await connection.query("""
            INSERT INTO scene_objects (id, region_id, owner_id, creator_id, asset_id, name, shape, position, rotation, scale,
                base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask, physical, reports_collisions,
                color, floating_text, floating_text_color, updated_at)
            VALUES (\(object.id), \(region), \(object.ownerID), \(object.creatorID), \(object.assetID), \(object.name),
                \(Int16(object.shape.rawValue)), \(position), \(rotation), \(scale), \(object.masks[0]), \(object.masks[1]),
                \(object.masks[2]), \(object.masks[3]), \(object.masks[4]), \(object.physical), \(object.reportsCollisions),
                \(look.colorArray), \(look.text), \(look.textColorArray), now())
            ON CONFLICT (id) DO UPDATE SET region_id = EXCLUDED.region_id, name = EXCLUDED.name, shape = EXCLUDED.shape,
                position = EXCLUDED.position, rotation = EXCLUDED.rotation, scale = EXCLUDED.scale,
                physical = EXCLUDED.physical, reports_collisions = EXCLUDED.reports_collisions,
                owner_mask = EXCLUDED.owner_mask, group_mask = EXCLUDED.group_mask,
                everyone_mask = EXCLUDED.everyone_mask, next_owner_mask = EXCLUDED.next_owner_mask,
                color = EXCLUDED.color, floating_text = EXCLUDED.floating_text, floating_text_color = EXCLUDED.floating_text_color,
                updated_at = now()
            """, logger: logger)
        try await ContentRows.replace(connection, object: object.id, object.contents, logger: logger)
    }

    /// A region's objects with their look and contents (each script's source joined from its
    /// asset), ordered by id, read in one `REPEATABLE READ` transaction so that objects and
    /// contents agree.
    public func load(region: UUID) async throws -> [PersistedObject] {
        try await readConsistently { connection in
            var objects = try await decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM scene_objects WHERE region_id = \(region) ORDER BY id", logger: logger))
            let contents = try await ContentRows.read(
                connection, "JOIN scene_objects o ON o.id = c.object_id WHERE o.region_id = \(region)", logger: logger)
            for index in objects.indices { objects[index].contents = contents[objects[index].id] ?? [] }
            return objects
        }
    }

    /// One stored object, wherever it is, with its look and contents.
    public func object(id: UUID) async throws -> PersistedObject? {
        try await readConsistently { connection in
            guard var object = try await decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM scene_objects WHERE id = \(id)", logger: logger)).first
            else { return nil }
            object.contents = try await ContentRows.read(connection, "WHERE c.object_id = \(id)", logger: logger)[id] ?? []
            return object
        }
    }

    /// The contents of an inventory item (an object taken with its contents), in order.
    public func contents(ofItem item: UUID) async throws -> [PersistedContent] {
        try await readConsistently { connection in
            try await ContentRows.read(connection, "WHERE c.item_id = \(item)", logger: logger)[item] ?? []
        }
    }

    private func readConsistently<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            _ = try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let result = try await body(connection)
                _ = try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    private static let columns = """
        id, owner_id, creator_id, name, shape, position, rotation, scale,
        base_mask, owner_mask, group_mask, everyone_mask, next_owner_mask, asset_id, physical, reports_collisions,
        color, floating_text, floating_text_color
        """

    private func decode(_ rows: PostgresRowSequence) async throws -> [PersistedObject] {
        var objects: [PersistedObject] = []
        for try await row in rows.decode(SceneRow.self) {
            let (id, owner, creator, name, shape, position, rotation, scale, base, ownerMask, group, everyone, next, asset, physical, reports,
                color, text, textColor) = row
            guard let kind = Shape(rawValue: UInt8(clamping: shape)), position.count == 3, rotation.count == 4, scale.count == 3,
                color.count == 4, textColor.count == 4
            else {
                throw SceneStoreError.corruptRow(id)
            }
            objects.append(PersistedObject(
                id: id, ownerID: owner, creatorID: creator, name: name, shape: kind,
                position: Vector3(position[0], position[1], position[2]),
                rotation: Quaternion(x: rotation[0], y: rotation[1], z: rotation[2], w: rotation[3]),
                scale: Vector3(scale[0], scale[1], scale[2]), masks: [base, ownerMask, group, everyone, next], assetID: asset,
                physical: physical, reportsCollisions: reports,
                look: PersistedLook(color: SIMD4(color[0], color[1], color[2], color[3]), text: text,
                    textColor: SIMD4(textColor[0], textColor[1], textColor[2], textColor[3]))
            ))
        }
        return objects
    }
}

extension PersistedObject {
    /// Why PostgreSQL could not store this object, or nil when it can: text with U+0000 or
    /// longer than the column, non-finite numbers, or the wrong number of permission masks.
    public var storageProblem: String? {
        if let problem = StorableText.problem(name, maxCharacters: StorableText.maxNameCharacters) { return "name \(problem)" }
        guard masks.count == 5 else { return "needs five permission masks, has \(masks.count)" }
        guard position.isFinite, scale.isFinite,
            rotation.x.isFinite, rotation.y.isFinite, rotation.z.isFinite, rotation.w.isFinite
        else { return "position, rotation or scale is not finite" }
        if let problem = look.storageProblem { return problem }
        return PersistedContent.problem(of: contents)
    }
}

public enum SceneStoreError: Error, CustomStringConvertible {
    case badMasks(UUID)
    case corruptRow(UUID)

    public var description: String {
        switch self {
        case .badMasks(let id): "object \(id) needs five permission masks"
        case .corruptRow(let id): "stored object \(id) has an unknown shape or malformed vectors"
        }
    }
}

private typealias SceneRow = (
    UUID, UUID, UUID?, String, Int16, [Float], [Float], [Float], Int32, Int32, Int32, Int32, Int32, Data?, Bool, Bool,
    [Float], String, [Float]
)
