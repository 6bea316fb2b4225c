import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x8B — the avatar's root region changed (a border crossing or a teleport). Every entity the
/// client knew is gone; local ids and positions from here on belong to the new region, whose
/// view follows at once. `startedMillis` is when the avatar left the old region's square (or
/// asked to teleport), on the server's wall clock.
public struct RegionChanged: Hashable, Sendable {
    public enum Kind: UInt8, Sendable, CaseIterable {
        case crossing = 1
        case teleport = 2
    }

    public var kind: Kind
    public var localID: LocalID
    public var regionName: String
    public var regionHandle: RegionHandle
    public var startedMillis: UInt64
    /// The teleport's request id; 0 for a crossing.
    public var requestID: UInt32

    public init(kind: Kind, localID: LocalID, regionName: String, regionHandle: RegionHandle, startedMillis: UInt64, requestID: UInt32 = 0) {
        self.kind = kind
        self.localID = localID
        self.regionName = regionName
        self.regionHandle = regionHandle
        self.startedMillis = startedMillis
        self.requestID = requestID
    }

    init(from buffer: inout ByteBuffer) throws {
        kind = try buffer.readEnum(Kind.self, "regionChanged.kind")
        localID = try buffer.readLE(UInt32.self, "regionChanged.localID")
        regionName = try buffer.readText("regionChanged.regionName", maxBytes: maxNameBytes)
        regionHandle = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "regionChanged.regionHandle"))
        startedMillis = try buffer.readLE(UInt64.self, "regionChanged.startedMillis")
        requestID = try buffer.readLE(UInt32.self, "regionChanged.requestID")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(kind.rawValue)
        buffer.writeLE(localID)
        buffer.writeText(regionName)
        buffer.writeLE(regionHandle.rawValue)
        buffer.writeLE(startedMillis)
        buffer.writeLE(requestID)
    }
}
