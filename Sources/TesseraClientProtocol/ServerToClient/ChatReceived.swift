import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x86 — something said within hearing range.
public struct ChatReceived: Hashable, Sendable {
    public var speaker: LocalID
    public var speakerName: String
    public var type: ChatType
    public var channel: Int32
    public var position: PackedPosition
    public var text: String
    /// Protocol 6: whether an avatar or an object spoke. Absent (nil) for clients of
    /// protocol 3 to 5.
    public var speakerKind: EntityKind?

    public init(speaker: LocalID, speakerName: String, type: ChatType, channel: Int32, position: PackedPosition, text: String, speakerKind: EntityKind? = nil) {
        self.speakerKind = speakerKind
        self.speaker = speaker
        self.speakerName = speakerName
        self.type = type
        self.channel = channel
        self.position = position
        self.text = text
    }

    init(from buffer: inout ByteBuffer) throws {
        speaker = try buffer.readLE(UInt32.self, "chatReceived.speaker")
        speakerName = try buffer.readText("chatReceived.speakerName", maxBytes: maxNameBytes)
        type = try buffer.readEnum(ChatType.self, "chatReceived.type")
        channel = try buffer.readLE(Int32.self, "chatReceived.channel")
        position = PackedPosition(rawValue: try buffer.readLE(UInt64.self, "chatReceived.position"))
        text = try buffer.readText("chatReceived.text", maxBytes: maxChatBytes)
        // Optional (protocol 6): a body that ends after the text has no speaker kind.
        speakerKind = buffer.readableBytes == 0 ? nil : try buffer.readEnum(EntityKind.self, "chatReceived.speakerKind")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(speaker)
        buffer.writeText(speakerName)
        buffer.writeLE(type.rawValue)
        buffer.writeLE(channel)
        buffer.writeLE(position.rawValue)
        buffer.writeText(text)
        if let speakerKind { buffer.writeLE(speakerKind.rawValue) }
    }
}
