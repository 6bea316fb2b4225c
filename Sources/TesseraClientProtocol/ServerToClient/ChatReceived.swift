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

    public init(speaker: LocalID, speakerName: String, type: ChatType, channel: Int32, position: PackedPosition, text: String) {
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
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(speaker)
        buffer.writeText(speakerName)
        buffer.writeLE(type.rawValue)
        buffer.writeLE(channel)
        buffer.writeLE(position.rawValue)
        buffer.writeText(text)
    }
}
