import Testing
import TesseraWorld

@Suite struct GridPositionTests {
    @Test(arguments: [
        (UInt32(0), UInt32(0)), (1, 0), (0, 1), (1000, 1000), (1000, 1001), (255, 65535), (16_777_215, 16_777_215),
    ])
    func handleIsSouthWestCornerInMetres(gx: UInt32, gy: UInt32) {
        let grid = GridPosition(x: gx, y: gy)!
        let expected = UInt64(256 * gx) << 32 | UInt64(256 * gy)
        #expect(grid.handle.rawValue == expected)
        #expect(grid.handle.gridPosition == grid)
    }

    @Test func knownOpenSimulatorHandle() {
        // Region (1000, 1000) is the classic OpenSimulator default: 256000 in both halves.
        #expect(GridPosition(x: 1000, y: 1000)!.handle.rawValue == 1_099_511_628_032_000)
        #expect(RegionHandle(rawValue: 1_099_511_628_032_000).gridPosition == GridPosition(x: 1000, y: 1000)!)
    }

    /// A coordinate whose corner in metres does not fit 32 bits is not a grid position; building
    /// one once trapped on `x·2⁴⁰` (a teleport by grid position from any client stopped the process).
    @Test func coordinatesBeyondTheGridAreRefused() {
        #expect(GridPosition(x: UInt32(16_777_216), y: 0) == nil)
        #expect(GridPosition(x: 0, y: UInt32.max) == nil)
        #expect(GridPosition(x: -1, y: 5) == nil)
        #expect(GridPosition(x: Int64(1) << 40, y: 5) == nil)
        let corner = GridPosition(x: GridPosition.maxCoordinate, y: GridPosition.maxCoordinate)!
        #expect(corner.handle.rawValue == 0xFFFF_FF00_FFFF_FF00)
        #expect(corner.offset(dx: 1, dy: 0) == nil)
        #expect(corner.offset(dx: 0, dy: 1) == nil)
        #expect(corner.offset(dx: -1, dy: -1) == GridPosition(x: GridPosition.maxCoordinate - 1, y: GridPosition.maxCoordinate - 1)!)
        #expect(GridPosition.origin.offset(dx: -1, dy: 0) == nil)
        #expect(GridPosition.origin.offset(dx: .max, dy: .min) == nil)
        // Every handle names a position inside the grid, whatever its bits.
        #expect(RegionHandle(rawValue: .max).gridPosition == corner)
    }

    @Test func differentPositionsHaveDifferentHandles() {
        #expect(GridPosition(x: 1, y: 2)!.handle != GridPosition(x: 2, y: 1)!.handle)
    }

    @Test func insideRegionSquare() {
        #expect(Vector3(0, 0, -10).isInsideRegionSquare)
        #expect(Vector3(255.99, 255.99, 5000).isInsideRegionSquare)
        #expect(!Vector3(256, 10, 0).isInsideRegionSquare)
        #expect(!Vector3(10, -0.01, 0).isInsideRegionSquare)
        #expect(!Vector3(.nan, 10, 0).isInsideRegionSquare)
    }
}

@Suite struct WorldConstantsTests {
    @Test func chatRangesMatchSecondLife() {
        #expect(ChatType.whisper.range == 10)
        #expect(ChatType.say.range == 20)
        #expect(ChatType.shout.range == 100)
        #expect(ChatType.regionSay.range == .infinity && ChatType.ownerSay.range == .infinity)
        #expect(ChatType.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
        #expect(ChatType.allCases.filter(\.isObjectOnly) == [.regionSay, .ownerSay])
    }

    @Test func movementSpeeds() {
        #expect(MovementMode.stop.speed == 0)
        #expect(MovementMode.walk.speed == 3.2)
        #expect(MovementMode.run.speed == 5.1)
        #expect(MovementMode.fly.speed == 10)
        #expect(MovementIntent.stop == MovementIntent(mode: .stop, heading: 0, vertical: 0))
    }

    @Test func vectorHelpers() {
        let a = Vector3(1, 2, 2)
        #expect(a.length == 3)
        #expect(a.distance(to: .zero) == 3)
        #expect(a.distanceSquared(to: Vector3(1, 2, 0)) == 4)
        #expect(!Vector3(1, .infinity, 0).isFinite)
    }
}
