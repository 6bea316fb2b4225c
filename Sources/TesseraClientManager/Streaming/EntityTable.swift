import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The client manager's copy of one region's entities, kept current from `RegionFrame`s.
/// A value type: sessions read a snapshot without holding any lock while they encode. Motion
/// (read by every session every tick) is kept apart from the descriptions (read on entry
/// only), so the hot lookups touch plain values.
public struct EntityTable: Sendable {
    public private(set) var motions: [LocalID: EntityMotion] = [:]
    public private(set) var infos: [LocalID: EntityInfo] = [:]
    public private(set) var stamp = FrameStamp(frame: 0, timeMillis: 0, timeDilation: 65535)

    public init() {}

    public mutating func apply(_ frame: RegionFrame) {
        for info in frame.appeared {
            infos[info.localID] = info
            motions[info.localID] = info.motion
        }
        for moved in frame.moved where motions[moved.localID] != nil {
            motions[moved.localID] = moved.motion
        }
        for id in frame.removed {
            infos[id] = nil
            motions[id] = nil
        }
        stamp = FrameStamp(frame: frame.frame, timeMillis: frame.timeMillis, dilation: frame.timeDilation)
    }

    public func motion(_ id: LocalID) -> EntityMotion? { motions[id] }

    /// An entity's description with its newest motion.
    public struct Record: Sendable, Hashable {
        public var info: EntityInfo
        public var motion: EntityMotion
    }

    public subscript(id: LocalID) -> Record? {
        guard let info = infos[id], let motion = motions[id] else { return nil }
        return Record(info: info, motion: motion)
    }

    public var count: Int { infos.count }
}
