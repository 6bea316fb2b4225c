import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// The client manager's copy of one region's entities, kept current from `RegionFrame`s.
/// A value type: sessions read a snapshot without holding any lock while they encode.
public struct EntityTable: Sendable {
    public struct Record: Sendable {
        public var info: EntityInfo
        public var motion: EntityMotion
    }

    public private(set) var records: [LocalID: Record] = [:]
    public private(set) var stamp = FrameStamp(frame: 0, timeMillis: 0, timeDilation: 65535)

    public init() {}

    public mutating func apply(_ frame: RegionFrame) {
        for info in frame.appeared {
            records[info.localID] = Record(info: info, motion: info.motion)
        }
        for moved in frame.moved {
            records[moved.localID]?.motion = moved.motion
        }
        for id in frame.removed {
            records[id] = nil
        }
        stamp = FrameStamp(frame: frame.frame, timeMillis: frame.timeMillis, dilation: frame.timeDilation)
    }

    public subscript(id: LocalID) -> Record? { records[id] }

    public var count: Int { records.count }
}
