import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

@Suite struct RegionMovementTests {
    private func joined() throws -> (RegionHarness, Vector3) {
        var harness = RegionHarness()
        try harness.add(agent(1))
        return (harness, try #require(harness.position(agent(1))))
    }

    @Test func walkingEastForOneSecondCoversWalkingSpeed() throws {
        var (harness, start) = try joined()
        harness.move(agent(1), .walk, heading: 0)
        harness.run(44)
        let state = try #require(harness.region.avatarState(agent(1)))
        #expect(abs(state.position.x - start.x - 3.2) < 0.01)
        #expect(abs(state.position.y - start.y) < 1e-4)
        #expect(state.position.z == 21)
        #expect(abs(state.velocity.x - 3.2) < 1e-5)
        #expect(abs(state.velocity.y) < 1e-5)
    }

    @Test func headingIsCounterClockwiseFromEast() throws {
        var (harness, start) = try joined()
        harness.move(agent(1), .run, heading: .pi / 2)
        harness.run(44)
        let position = try #require(harness.position(agent(1)))
        #expect(abs(position.y - start.y - 5.1) < 0.01, "north at run speed")
        #expect(abs(position.x - start.x) < 1e-3)
    }

    @Test func stopHalts() throws {
        var (harness, _) = try joined()
        harness.move(agent(1), .walk, heading: 1)
        harness.run(10)
        harness.move(agent(1), .stop, heading: 1)
        let stopped = try #require(harness.region.avatarState(agent(1)))
        #expect(stopped.velocity == .zero)
        harness.run(30)
        #expect(harness.position(agent(1)) == stopped.position)
    }

    @Test func flyingUpClimbsAndFallsBackToTheTerrain() throws {
        var (harness, _) = try joined()
        harness.move(agent(1), .fly, heading: 0, vertical: 1)
        harness.run(44)
        let climbed = try #require(harness.region.avatarState(agent(1)))
        #expect(abs(climbed.position.z - 25) < 0.01, "4 m/s for one second")
        #expect(climbed.velocity.z == 4)
        #expect(abs(climbed.velocity.x - 10) < 1e-4)

        harness.move(agent(1), .fly, heading: 0, vertical: -1)
        harness.run(10)
        #expect(abs(try #require(harness.position(agent(1))).z - (25 - 11 * 4.0 / 45)) < 0.01, "descends at 4 m/s for 11 frames")

        harness.move(agent(1), .stop)
        var lowest: Float = .infinity
        var previous = try #require(harness.position(agent(1))).z
        for _ in 0..<120 {
            harness.step()
            let z = try #require(harness.position(agent(1))).z
            #expect(z <= previous, "only ever falls")
            previous = z
            lowest = min(lowest, z)
        }
        let landed = try #require(harness.region.avatarState(agent(1)))
        #expect(landed.position.z == 21)
        #expect(lowest == 21, "never below the terrain")
        #expect(landed.velocity == .zero)
    }

    @Test func flyingLevelKeepsAltitude() throws {
        var (harness, start) = try joined()
        harness.move(agent(1), .fly, heading: .pi)
        harness.run(44)
        let position = try #require(harness.position(agent(1)))
        #expect(position.z == 21)
        #expect(abs(start.x - position.x - 10) < 0.01)
    }

    @Test func avatarStaysInsideTheRegionAtTheBorder() throws {
        var (harness, _) = try joined()
        harness.move(agent(1), .fly, heading: .pi * 5 / 4)  // south-west, towards the corner
        for _ in 0..<900 {
            harness.step()
            let position = try #require(harness.position(agent(1)))
            #expect(position.isInsideRegionSquare)
        }
        let state = try #require(harness.region.avatarState(agent(1)))
        #expect(abs(state.position.x - 0.1) < 1e-4)
        #expect(abs(state.position.y - 0.1) < 1e-4)
        #expect(state.velocity.x == 0 && state.velocity.y == 0)

        harness.move(agent(1), .fly, heading: 0)  // east, along the south border
        harness.run(1200)
        let east = try #require(harness.position(agent(1)))
        #expect(abs(east.x - (256 - 0.1)) < 1e-3)
        #expect(east.isInsideRegionSquare)
    }

    @Test func nonFiniteHeadingIsIgnored() throws {
        var (harness, start) = try joined()
        harness.move(agent(1), .walk, heading: .nan)
        harness.move(agent(1), .run, heading: .infinity)
        harness.run(10)
        #expect(harness.position(agent(1)) == start)
    }

    @Test func movedListsOnlyChangedMotion() throws {
        var harness = RegionHarness()
        let a = try harness.add(agent(1))
        #expect(harness.lastOutput.frame(for: 1)?.moved.map(\.localID) == [a], "first publication")
        let b = try harness.add(agent(2), connect: false)
        #expect(harness.lastOutput.frame(for: 1)?.moved.map(\.localID) == [b], "a standing avatar is not re-sent")
        for output in harness.run(5) {
            #expect(output.frame(for: 1)?.moved.isEmpty == true)
        }

        harness.move(agent(1), .walk)
        #expect(harness.lastOutput.frame(for: 1)?.moved.map(\.localID) == [a])
        for output in harness.run(5) {
            let moved = try #require(output.frame(for: 1)?.moved)
            #expect(moved.map(\.localID) == [a])
            #expect(moved.first?.motion.velocity == PackedVelocity(x: 320, y: 0, z: 0))
        }
        let lastMoved = try #require(harness.lastOutput.frame(for: 1)?.moved.first)
        #expect(lastMoved.motion.position == PackedPosition(try #require(harness.position(agent(1)))))
        #expect(lastMoved.motion.velocity == PackedVelocity(x: 320, y: 0, z: 0))

        harness.move(agent(1), .stop)
        #expect(harness.lastOutput.frame(for: 1)?.moved.map(\.localID) == [a], "the velocity change is sent")
        #expect(harness.lastOutput.frame(for: 1)?.moved.first?.motion.velocity == .zero)
        for output in harness.run(5) {
            #expect(output.frame(for: 1)?.moved.isEmpty == true)
        }
    }

    @Test func turningInPlaceIsAMotionChange() throws {
        var harness = RegionHarness()
        let a = try harness.add(agent(1))
        harness.run(2)
        harness.move(agent(1), .stop, heading: .pi / 2)
        let moved = try #require(harness.lastOutput.frame(for: 1)?.moved)
        #expect(moved.map(\.localID) == [a])
        #expect(moved.first?.motion.rotation == PackedRotation(Quaternion(yaw: .pi / 2)))
        #expect(moved.first?.motion.velocity == .zero)
    }
}
