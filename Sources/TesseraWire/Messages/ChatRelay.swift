import Foundation
import NIOCore
import TesseraCodec
import TesseraWorld

/// Region → neighbour: chat spoken close enough to their border to be heard across it. The
/// neighbour delivers it to its avatars within the chat type's range of `position` (the
/// source's metres, which the neighbour shifts into its own).
public struct ChatRelay: WireMessageBody {
    public static let messageType = WireMessageType.chatRelay

    public var source: RegionHandle
    public var destination: RegionHandle
    /// The speaker's local id in the source region.
    public var speaker: LocalID
    public var speakerName: String
    public var type: ChatType
    public var channel: Int32
    public var position: Vector3
    public var text: String

    public init(source: RegionHandle, destination: RegionHandle, speaker: LocalID, speakerName: String, type: ChatType, channel: Int32, position: Vector3, text: String) {
        self.source = source
        self.destination = destination
        self.speaker = speaker
        self.speakerName = speakerName
        self.type = type
        self.channel = channel
        self.position = position
        self.text = text
    }

    public init(from buffer: inout ByteBuffer) throws {
        source = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "chatRelay.source"))
        destination = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "chatRelay.destination"))
        speaker = try buffer.readLE(UInt32.self, "chatRelay.speaker")
        speakerName = try buffer.readText("chatRelay.speakerName", maxBytes: maxNameBytes)
        type = try buffer.readEnum(ChatType.self, "chatRelay.type")
        channel = try buffer.readLE(Int32.self, "chatRelay.channel")
        position = try buffer.readVector("chatRelay.position")
        text = try buffer.readText("chatRelay.text", maxBytes: maxChatBytes)
        guard position.isFinite else { throw CodecError.invalidValue(field: "chatRelay.position", reason: "not finite") }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(source.rawValue)
        buffer.writeLE(destination.rawValue)
        buffer.writeLE(speaker)
        buffer.writeText(speakerName)
        buffer.writeLE(type.rawValue)
        buffer.writeLE(channel)
        buffer.writeVector(position)
        buffer.writeText(text)
    }
}
