import Foundation
import NIOCore
import TesseraCodec
import TesseraHandoff
import TesseraWorld

/// Every hand-off message but the offer: one step of the protocol between the source, the
/// destination and the client manager (docs/handoff.md, "Messages"). `to` names the region
/// that must handle it (its node routes it there); it is the sender's region when the client
/// manager is the addressee.
public struct HandoffSignal: WireMessageBody {
    public static let messageType = WireMessageType.handoffSignal

    public enum Step: Hashable, Sendable {
        /// Destination → source: admitted as pending under this local id.
        case accept(LocalID)
        /// Destination → source.
        case refuse(HandoffRefusal)
        /// Source → destination: drop the pending traveller.
        case cancel
        /// Source → destination (objects): the storage row now belongs to the destination; activate.
        case commit
        /// Source → client manager: switch the avatar's route to the destination's local id,
        /// replaying the client's commands after `appliedSequence`. `requestID` is a teleport's
        /// (0 for a crossing), for the client's `RegionChanged`.
        case route(localID: LocalID, appliedSequence: UInt32, kind: HandoffOffer.Kind, startedMillis: UInt64, requestID: UInt32)
        /// Source or destination → client manager: did you switch?
        case query
        /// Client manager → the asker: switched (or will, on the same ordered link).
        case routed
        /// Client manager → the asker: not switched, and never will be for this id.
        case notRouted
        /// Client manager → destination: the route points at you now; the avatar is root.
        case activate(localID: LocalID)
        /// Destination → client manager: no such hand-off is pending here.
        case rejectActivation
        /// Source → client manager: the hand-off failed (refused, timed out); the avatar stays.
        case failed(HandoffRefusal?)

        enum Tag: UInt8 {
            case accept = 1, refuse, cancel, commit, route, query, routed, notRouted, activate, rejectActivation, failed
        }
    }

    public var handoffID: HandoffID
    /// The agent id of an avatar, the storage id of an object.
    public var subject: UUID
    public var source: RegionHandle
    public var destination: RegionHandle
    public var to: RegionHandle
    public var step: Step

    public init(handoffID: HandoffID, subject: UUID, source: RegionHandle, destination: RegionHandle, to: RegionHandle, step: Step) {
        self.handoffID = handoffID
        self.subject = subject
        self.source = source
        self.destination = destination
        self.to = to
        self.step = step
    }

    public init(from buffer: inout ByteBuffer) throws {
        handoffID = HandoffID(rawValue: try buffer.readLE(UInt64.self, "handoffSignal.handoffID"))
        subject = try buffer.readUUID("handoffSignal.subject")
        source = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "handoffSignal.source"))
        destination = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "handoffSignal.destination"))
        to = RegionHandle(rawValue: try buffer.readLE(UInt64.self, "handoffSignal.to"))
        let raw = try buffer.readLE(UInt8.self, "handoffSignal.step")
        guard let tag = Step.Tag(rawValue: raw) else {
            throw CodecError.invalidValue(field: "handoffSignal.step", reason: "unknown step \(raw)")
        }
        switch tag {
        case .accept: step = .accept(try buffer.readLE(UInt32.self, "handoffSignal.localID"))
        case .refuse: step = .refuse(try buffer.readEnum(HandoffRefusal.self, "handoffSignal.reason"))
        case .cancel: step = .cancel
        case .commit: step = .commit
        case .route:
            let localID = try buffer.readLE(UInt32.self, "handoffSignal.localID")
            let sequence = try buffer.readLE(UInt32.self, "handoffSignal.appliedSequence")
            let kind = try buffer.readEnum(HandoffOffer.Kind.self, "handoffSignal.kind")
            let started = try buffer.readLE(UInt64.self, "handoffSignal.startedMillis")
            let requestID = try buffer.readLE(UInt32.self, "handoffSignal.requestID")
            step = .route(localID: localID, appliedSequence: sequence, kind: kind, startedMillis: started, requestID: requestID)
        case .query: step = .query
        case .routed: step = .routed
        case .notRouted: step = .notRouted
        case .activate: step = .activate(localID: try buffer.readLE(UInt32.self, "handoffSignal.localID"))
        case .rejectActivation: step = .rejectActivation
        case .failed:
            let raw = try buffer.readLE(UInt8.self, "handoffSignal.reason")
            if raw == 0 {
                step = .failed(nil)
            } else if let reason = HandoffRefusal(rawValue: raw) {
                step = .failed(reason)
            } else {
                throw CodecError.invalidValue(field: "handoffSignal.reason", reason: "unknown value \(raw)")
            }
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeLE(handoffID.rawValue)
        buffer.writeUUID(subject)
        buffer.writeLE(source.rawValue)
        buffer.writeLE(destination.rawValue)
        buffer.writeLE(to.rawValue)
        switch step {
        case .accept(let localID):
            buffer.writeLE(Step.Tag.accept.rawValue)
            buffer.writeLE(localID)
        case .refuse(let reason):
            buffer.writeLE(Step.Tag.refuse.rawValue)
            buffer.writeLE(reason.rawValue)
        case .cancel: buffer.writeLE(Step.Tag.cancel.rawValue)
        case .commit: buffer.writeLE(Step.Tag.commit.rawValue)
        case .route(let localID, let sequence, let kind, let started, let requestID):
            buffer.writeLE(Step.Tag.route.rawValue)
            buffer.writeLE(localID)
            buffer.writeLE(sequence)
            buffer.writeLE(kind.rawValue)
            buffer.writeLE(started)
            buffer.writeLE(requestID)
        case .query: buffer.writeLE(Step.Tag.query.rawValue)
        case .routed: buffer.writeLE(Step.Tag.routed.rawValue)
        case .notRouted: buffer.writeLE(Step.Tag.notRouted.rawValue)
        case .activate(let localID):
            buffer.writeLE(Step.Tag.activate.rawValue)
            buffer.writeLE(localID)
        case .rejectActivation: buffer.writeLE(Step.Tag.rejectActivation.rawValue)
        case .failed(let reason):
            buffer.writeLE(Step.Tag.failed.rawValue)
            buffer.writeLE(reason?.rawValue ?? 0)
        }
    }
}
