import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

@Suite struct EntityTableTests {
    @Test func startsEmptyAtFullRate() {
        let table = EntityTable()
        #expect(table.count == 0)
        #expect(table[1] == nil)
        #expect(table.stamp == FrameStamp(frame: 0, timeMillis: 0, timeDilation: 65535))
    }

    @Test func appearedEntitiesAreRecordedWithInfoAndMotion() throws {
        var table = EntityTable()
        let a = Fixture.info(2, name: "Ada")
        let b = Fixture.info(3, name: "Box")
        table.apply(Fixture.frame(appeared: [a, b]))
        #expect(table.count == 2)
        let record = try #require(table[2])
        #expect(record.info == a)
        #expect(record.motion == a.motion)
        #expect(table[3]?.info.name == "Box")
        #expect(table[3]?.info.kind == .object)
        #expect(table[4] == nil)
    }

    @Test func movedChangesOnlyTheMotion() throws {
        var table = Fixture.table([5, 6])
        let newMotion = Fixture.motion(x: 200, y: 10, yaw: 1, vx: 3)
        table.move(5, to: newMotion)
        let record = try #require(table[5])
        #expect(record.motion == newMotion)
        #expect(record.info == Fixture.info(5), "info keeps the motion it appeared with")
        #expect(table[6]?.motion == Fixture.motion(for: 6))
    }

    @Test func movedForAnUnknownEntityDoesNotCreateIt() {
        var table = Fixture.table([1])
        table.move(77, to: Fixture.motion(x: 1, y: 1))
        #expect(table[77] == nil)
        #expect(table.count == 1)
    }

    @Test func removedEntitiesAreDropped() {
        var table = Fixture.table([1, 2, 3])
        table.apply(Fixture.frame(2, removed: [2, 99]))
        #expect(table.count == 2)
        #expect(table[2] == nil)
        #expect(table[1] != nil)
        #expect(table[3] != nil)
    }

    @Test func withinOneFrameAppearedThenMovedThenRemoved() {
        var table = EntityTable()
        let later = Fixture.motion(x: 50, y: 60)
        table.apply(Fixture.frame(
            appeared: [Fixture.info(1), Fixture.info(2)],
            moved: [MovedEntity(localID: 1, motion: later)],
            removed: [2]
        ))
        #expect(table[1]?.motion == later)
        #expect(table[2] == nil)
        #expect(table.count == 1)
    }

    @Test func reappearingReplacesTheRecord() {
        var table = Fixture.table([1])
        let replacement = Fixture.info(1, motion: Fixture.motion(x: 9, y: 9), name: "Again")
        table.apply(Fixture.frame(2, appeared: [replacement]))
        #expect(table[1]?.info == replacement)
        #expect(table[1]?.motion == replacement.motion)
        #expect(table.count == 1)
    }

    @Test func stampFollowsTheNewestFrame() {
        var table = EntityTable()
        table.apply(Fixture.frame(41, timeMillis: 1_700_000_000_123, dilation: 1))
        #expect(table.stamp == FrameStamp(frame: 41, timeMillis: 1_700_000_000_123, timeDilation: 65535))
        table.apply(Fixture.frame(42, timeMillis: 1_700_000_000_145, dilation: 0.5))
        #expect(table.stamp == FrameStamp(frame: 42, timeMillis: 1_700_000_000_145, timeDilation: 32768))
    }

    @Test(arguments: [
        (Float(1), UInt16(65535)), (0.5, 32768), (0.25, 16384), (0, 0),
        (1.5, 65535), (-0.5, 0), (.nan, 0),
    ])
    func dilationIsScaledToUInt16(dilation: Float, expected: UInt16) {
        var table = EntityTable()
        table.apply(Fixture.frame(3, dilation: dilation))
        #expect(table.stamp.timeDilation == expected)
        #expect(table.stamp.frame == 3)
    }

    @Test func anEmptyFrameStillAdvancesTheStamp() {
        var table = Fixture.table([1])
        table.apply(Fixture.frame(9, timeMillis: 5))
        #expect(table.stamp.frame == 9)
        #expect(table.stamp.timeMillis == 5)
        #expect(table.count == 1)
    }
}
