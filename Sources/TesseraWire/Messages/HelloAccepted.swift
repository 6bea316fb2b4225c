import NIOCore
import TesseraCodec
import TesseraWorld

/// The listening side's answer to a valid `Hello`: who it is and which regions it hosts.
public struct HelloAccepted: WireMessageBody {
    public static let messageType = WireMessageType.helloAccepted

    public var version: UInt16
    public var role: WireRole
    public var nodeName: String
    public var regions: [RegionDescriptor]

    public init(version: UInt16 = wireProtocolVersion, role: WireRole, nodeName: String, regions: [RegionDescriptor]) {
        self.version = version
        self.role = role
        self.nodeName = nodeName
        self.regions = regions
    }

    public init(from buffer: inout ByteBuffer) throws {
        version = try buffer.readLE(UInt16.self, "helloAccepted.version")
        role = try buffer.readEnum(WireRole.self, "helloAccepted.role")
        nodeName = try buffer.readText("helloAccepted.nodeName", maxBytes: 255)
        let count = try buffer.readCount("helloAccepted.regions", minElementBytes: 10)
        regions = try (0..<count).map { _ in try RegionDescriptor(from: &buffer) }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(version)
        buffer.writeLE(role.rawValue)
        buffer.writeText(nodeName)
        buffer.writeCount(regions.count)
        for region in regions { region.encode(into: &buffer) }
    }
}

/// A region as peers see it: its handle and its name.
public struct RegionDescriptor: Hashable, Sendable {
    public var handle: RegionHandle
    public var name: String

    public init(handle: RegionHandle, name: String) {
        self.handle = handle
        self.name = name
    }

    init(from buffer: inout ByteBuffer) throws {
        handle = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "region.handle"))
        name = try buffer.readText("region.name", maxBytes: maxNameBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(handle.rawValue)
        buffer.writeText(name)
    }
}
