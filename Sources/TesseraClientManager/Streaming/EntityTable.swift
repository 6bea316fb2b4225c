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
    /// Counts appearance changes; `appearanceStamps` holds, per object, the count at its
    /// latest change, so a session finds what changed since it last looked without comparing
    /// appearances.
    public private(set) var appearanceGeneration: UInt64 = 0
    public private(set) var appearanceStamps: [LocalID: UInt64] = [:]

    public init() {}

    public mutating func apply(_ frame: RegionFrame) {
        for info in frame.appeared {
            infos[info.localID] = info
            motions[info.localID] = info.motion
            // New: sessions show it with this appearance in its EntityEnter.
            appearanceStamps[info.localID] = nil
        }
        for change in frame.appearance where infos[change.localID] != nil && infos[change.localID]!.appearance != change.appearance {
            infos[change.localID]!.appearance = change.appearance
            appearanceGeneration += 1
            appearanceStamps[change.localID] = appearanceGeneration
        }
        for moved in frame.moved where motions[moved.localID] != nil {
            motions[moved.localID] = moved.motion
        }
        for id in frame.removed {
            infos[id] = nil
            motions[id] = nil
            appearanceStamps[id] = nil
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
