import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x09 — teleport to a region, by name or (with an empty name) by grid position, landing at
/// `position` in its local metres, or at the region's arrival point when there is none.
public struct Teleport: Hashable, Sendable {
    public var requestID: UInt32
    public var region: String
    public var gridPosition: GridPosition
    public var position: Vector3?

    public init(requestID: UInt32, region: String = "", gridPosition: GridPosition = .origin, position: Vector3? = nil) {
        self.requestID = requestID
        self.region = region
        self.gridPosition = gridPosition
        self.position = position
    }

    init(from buffer: inout ByteBuffer) throws {
        requestID = try buffer.readLE(UInt32.self, "teleport.requestID")
        region = try buffer.readText("teleport.region", maxBytes: maxNameBytes)
        let x = try buffer.readLE(UInt32.self, "teleport.gridX")
        let y = try buffer.readLE(UInt32.self, "teleport.gridY")
        gridPosition = try GridPosition.decoded(x: x, y: y, field: "teleport.gridX")
        position = try buffer.readOptionalVector("teleport.position")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(requestID)
        buffer.writeText(region)
        buffer.writeLE(gridPosition.x)
        buffer.writeLE(gridPosition.y)
        buffer.writeOptionalVector(position)
    }
}
