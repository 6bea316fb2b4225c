import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// What an object's contents item is.
public enum ContentKind: UInt8, Sendable, CaseIterable {
    /// LSL source (an asset of type 10) that the script service runs.
    case script = 1
    /// An object `llRezObject` can rez (its template travels in the item).
    case object = 2
}

/// One item in an object's contents (docs/scripts.md).
public struct ContentItem: Hashable, Sendable {
    /// Most items an object holds.
    public static let maxItems = 16
    /// Longest script source, in UTF-8 bytes.
    public static let maxSourceBytes = 65_536
    /// Largest script checkpoint, in bytes.
    public static let maxStateBytes = 131_072

    /// Stable across crossings, take and rez (a copy rez gives new ids).
    public var id: UUID
    /// 1…63 UTF-8 bytes, unique within the object.
    public var name: String
    public var kind: ContentKind
    /// Scripts: the LSL source asset (the SHA-256 of the source). Objects: the zero id.
    public var asset: AssetID
    /// Scripts: the source text, loaded from the asset (never stored in the contents row).
    public var source: String?
    /// Scripts: false once the owner stopped it.
    public var running: Bool
    /// Scripts: the script service's latest checkpoint (opaque); nil starts it fresh.
    public var state: [UInt8]?
    /// Objects: what `llRezObject` makes.
    public var template: ObjectTemplate?

    public init(
        id: UUID, name: String, kind: ContentKind, asset: AssetID, source: String? = nil, running: Bool = true,
        state: [UInt8]? = nil, template: ObjectTemplate? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.asset = asset
        self.source = source
        self.running = running
        self.state = state
        self.template = template
    }

    public init(from buffer: inout ByteBuffer, depth: Int = 0) throws {
        id = try buffer.readUUID("content.id")
        name = try buffer.readText("content.name", maxBytes: maxNameBytes)
        guard !name.isEmpty else { throw CodecError.invalidValue(field: "content.name", reason: "empty") }
        kind = try buffer.readEnum(ContentKind.self, "content.kind")
        asset = try AssetID(from: &buffer, "content.asset")
        let flags = try buffer.readLE(UInt8.self, "content.flags")
        guard flags & ~15 == 0 else { throw CodecError.invalidValue(field: "content.flags", reason: "unknown bits in \(flags)") }
        running = flags & 1 != 0
        source = flags & 2 != 0 ? try buffer.readLongText("content.source", maxBytes: Self.maxSourceBytes) : nil
        if flags & 4 != 0 {
            let count = try buffer.readLE(UInt32.self, "content.state")
            guard count <= Self.maxStateBytes else {
                throw CodecError.invalidValue(field: "content.state", reason: "\(count) bytes, more than \(Self.maxStateBytes)")
            }
            guard let bytes = buffer.readBytes(length: Int(count)) else { throw CodecError.truncated(field: "content.state") }
            state = bytes
        } else {
            state = nil
        }
        if flags & 8 != 0 {
            guard depth == 0 else { throw CodecError.invalidValue(field: "content.template", reason: "a template inside a template") }
            template = try ObjectTemplate(from: &buffer)
        } else {
            template = nil
        }
        if kind == .script, template != nil {
            throw CodecError.invalidValue(field: "content.template", reason: "a script item has no object template")
        }
        if kind == .object, template == nil {
            throw CodecError.invalidValue(field: "content.template", reason: "an object item needs its template")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeUUID(id)
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeLE(kind.rawValue)
        asset.encode(into: &buffer)
        let flags = (running ? 1 : 0) | (source != nil ? 2 : 0) | (state != nil ? 4 : 0) | (template != nil ? 8 : 0)
        buffer.writeLE(UInt8(flags))
        if let source { buffer.writeLongText(source) }
        if let state {
            buffer.writeLE(UInt32(state.count))
            buffer.writeBytes(state)
        }
        template?.encode(into: &buffer)
    }

    static func readList(from buffer: inout ByteBuffer, _ field: String, depth: Int = 0) throws -> [ContentItem] {
        let count = try buffer.readCount(field, minElementBytes: 16 + 2 + 1 + 32 + 1)
        guard count <= maxItems else { throw CodecError.invalidValue(field: field, reason: "\(count) items, more than \(maxItems)") }
        let items = try (0..<count).map { _ in try ContentItem(from: &buffer, depth: depth) }
        guard Set(items.map(\.name)).count == items.count else { throw CodecError.invalidValue(field: field, reason: "two items share a name") }
        return items
    }

    static func writeList(_ items: [ContentItem], into buffer: inout ByteBuffer) {
        buffer.writeCount(items.count)
        for item in items { item.encode(into: &buffer) }
    }

    /// The asset id of content items that are not scripts.
    public static let noAsset = AssetID(Data(count: 32))!
}

/// An object's colour and floating text, as clients see them.
public struct ObjectLook: Hashable, Sendable {
    public static let maxTextBytes = 254

    /// RGB in 0…1 and alpha in 0…1.
    public var color: Vector3
    public var alpha: Float
    /// Floating text above the object; empty for none.
    public var text: String
    public var textColor: Vector3
    public var textAlpha: Float

    public static let plain = ObjectLook(color: Vector3(1, 1, 1), alpha: 1, text: "", textColor: Vector3(1, 1, 1), textAlpha: 1)

    public init(color: Vector3, alpha: Float, text: String, textColor: Vector3, textAlpha: Float) {
        self.color = color
        self.alpha = alpha
        self.text = text
        self.textColor = textColor
        self.textAlpha = textAlpha
    }

    /// Clamps every component into 0…1 (NaN becomes 0) and cuts the text at a character
    /// boundary: what scripts ask for is made storable here, never refused.
    public func clamped() -> ObjectLook {
        func unit(_ x: Float) -> Float { x.isNaN ? 0 : min(max(x, 0), 1) }
        func unit(_ v: Vector3) -> Vector3 { Vector3(unit(v.x), unit(v.y), unit(v.z)) }
        var text = String(text.unicodeScalars.filter { $0 != "\u{0}" }.map(Character.init))
        while text.utf8.count > Self.maxTextBytes { text.removeLast() }
        return ObjectLook(color: unit(color), alpha: unit(alpha), text: text, textColor: unit(textColor), textAlpha: unit(textAlpha))
    }

    public init(from buffer: inout ByteBuffer, _ field: String) throws {
        func unit(_ name: String) throws -> Float {
            let value = try buffer.readFloatLE("\(field).\(name)")
            guard value >= 0, value <= 1 else { throw CodecError.invalidValue(field: "\(field).\(name)", reason: "\(value) is not in 0…1") }
            return value
        }
        color = Vector3(try unit("red"), try unit("green"), try unit("blue"))
        alpha = try unit("alpha")
        text = try buffer.readText("\(field).text", maxBytes: Self.maxTextBytes)
        textColor = Vector3(try unit("textRed"), try unit("textGreen"), try unit("textBlue"))
        textAlpha = try unit("textAlpha")
    }

    public func encode(into buffer: inout ByteBuffer) {
        for value in [color.x, color.y, color.z, alpha] { buffer.writeFloatLE(value) }
        buffer.writeText(text, maxBytes: Self.maxTextBytes)
        for value in [textColor.x, textColor.y, textColor.z, textAlpha] { buffer.writeFloatLE(value) }
    }
}

/// What `llRezObject` makes from an object item.
public struct ObjectTemplate: Hashable, Sendable {
    public var name: String
    public var shape: Shape
    public var scale: Vector3
    public var physical: Bool
    public var reportsCollisions: Bool
    public var look: ObjectLook
    /// Scripts only (a template holds no objects).
    public var contents: [ContentItem]

    public init(name: String, shape: Shape, scale: Vector3, physical: Bool, reportsCollisions: Bool, look: ObjectLook = .plain, contents: [ContentItem] = []) {
        self.name = name
        self.shape = shape
        self.scale = scale
        self.physical = physical
        self.reportsCollisions = reportsCollisions
        self.look = look
        self.contents = contents
    }

    public init(from buffer: inout ByteBuffer) throws {
        name = try buffer.readText("template.name", maxBytes: maxNameBytes)
        guard !name.isEmpty else { throw CodecError.invalidValue(field: "template.name", reason: "empty") }
        shape = try buffer.readEnum(Shape.self, "template.shape")
        scale = try buffer.readVector("template.scale")
        guard [scale.x, scale.y, scale.z].allSatisfy({ $0 >= 0.01 && $0 <= 64 }) else {
            throw CodecError.invalidValue(field: "template.scale", reason: "each side must be in 0.01…64 m")
        }
        let flags = try buffer.readLE(UInt8.self, "template.flags")
        guard flags & ~3 == 0 else { throw CodecError.invalidValue(field: "template.flags", reason: "unknown bits in \(flags)") }
        physical = flags & 1 != 0
        reportsCollisions = flags & 2 != 0
        look = try ObjectLook(from: &buffer, "template.look")
        contents = try ContentItem.readList(from: &buffer, "template.contents", depth: 1)
        guard contents.allSatisfy({ $0.kind == .script }) else {
            throw CodecError.invalidValue(field: "template.contents", reason: "a template holds scripts only")
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeText(name, maxBytes: maxNameBytes)
        buffer.writeLE(shape.rawValue)
        buffer.writeVector(scale)
        buffer.writeLE(UInt8((physical ? 1 : 0) | (reportsCollisions ? 2 : 0)))
        look.encode(into: &buffer)
        ContentItem.writeList(contents, into: &buffer)
    }
}
