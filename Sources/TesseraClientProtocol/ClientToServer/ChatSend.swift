import NIOCore
import TesseraCodec
import TesseraWorld

/// 0x03 — say something on a channel.
public struct ChatSend: Hashable, Sendable {
    public var type: ChatType
    public var channel: Int32
    public var text: String

    public init(type: ChatType, channel: Int32 = ChatChannel.publicChannel, text: String) {
        self.type = type
        self.channel = channel
        self.text = text
    }

    init(from buffer: inout ByteBuffer) throws {
        type = try buffer.readEnum(ChatType.self, "chat.type")
        guard !type.isObjectOnly else {
            throw CodecError.invalidValue(field: "chat.type", reason: "\(type.rawValue) (\(type)) is said by objects only; a client says 0, 1 or 2")
        }
        channel = try buffer.readLE(Int32.self, "chat.channel")
        text = try buffer.readText("chat.text", maxBytes: maxChatBytes)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(type.rawValue)
        buffer.writeLE(channel)
        buffer.writeText(text)
    }
}
