import Foundation
import Testing
import TesseraHandoff
import TesseraRegion
import TesseraWire
import TesseraWorld

/// Two regions side by side, West (1000, 1000) and East (1001, 1000), stepped on manual clocks,
/// with their region-to-region messages delivered by hand and a client manager played by the
/// test: it answers a route request by activating the avatar at the destination.
struct RegionPair {
    var west: RegionHarness
    var east: RegionHarness
    /// Whether region-to-region messages reach the other side (false: the link is silently dead).
    var linked = true
    /// Whether the pretend client manager switches routes it is asked to switch.
    var managerSwitches = true
    var westInbox: [RegionInput] = []
    var eastInbox: [RegionInput] = []
    /// Hand-off steps the client manager got, in order.
    var managerSaw: [HandoffSignal.Step] = []

    static let manager: ManagerID = 1

    init(westSettings: RegionSettings = .named("West", x: 1000, y: 1000), eastSettings: RegionSettings = .named("East", x: 1001, y: 1000)) {
        west = RegionHarness(westSettings)
        east = RegionHarness(eastSettings)
        let named: [RegionInput] = [.managerConnected(Self.manager), .managerNamed(Self.manager, "edge")]
        west.step(named + [.regions([east.handle: "East"])])
        east.step(named + [.regions([west.handle: "West"])])
    }

    /// One frame of each region, then every message each sent is delivered for the next frame.
    mutating func step(west westExtra: [RegionInput] = [], east eastExtra: [RegionInput] = []) {
        let westOut = west.step(westInbox + westExtra)
        let eastOut = east.step(eastInbox + eastExtra)
        westInbox = []
        eastInbox = []
        route(westOut, from: west.handle)
        route(eastOut, from: east.handle)
    }

    mutating func run(_ frames: Int) {
        for _ in 0..<frames { step() }
    }

    private mutating func route(_ output: RegionOutput, from source: RegionHandle) {
        if linked {
            for (target, message) in output.peerMessages {
                if target == east.handle { eastInbox.append(.peer(message)) }
                if target == west.handle { westInbox.append(.peer(message)) }
            }
        }
        for case .handoffSignal(let signal) in output.messages(for: Self.manager) {
            managerSaw.append(signal.step)
            guard case .route(let localID, _, _, _, _) = signal.step, managerSwitches else { continue }
            var activate = signal
            activate.to = signal.destination
            activate.step = .activate(localID: localID)
            var routed = signal
            routed.step = .routed
            let toDestination = RegionInput.managerSignal(Self.manager, activate)
            let toSource = RegionInput.managerSignal(Self.manager, routed)
            if signal.destination == east.handle { eastInbox.append(toDestination) } else { westInbox.append(toDestination) }
            if signal.source == west.handle { westInbox.append(toSource) } else { eastInbox.append(toSource) }
        }
    }

    func holders(_ agent: AgentID) -> [String] {
        [west, east].filter { $0.region.rootAgents.contains(agent) }.map(\.settings.name)
    }
}

extension RegionSettings {
    static func named(_ name: String, x: UInt32, y: UInt32, maxAvatars: Int = 2000) -> RegionSettings {
        RegionSettings(name: name, gridPosition: GridPosition(x: x, y: y)!, maxAvatars: maxAvatars, spawnRadius: 4)
    }
}

@Suite struct RegionHandoffTests {
    let ada = agent(1)

    /// Joins Ada in West, puts her at (`x`, `y`) and runs her along `heading` for `frames` frames.
    func running(_ pair: inout RegionPair, from x: Float = 253, _ y: Float = 100, heading: Float = 0, frames: Int = 60) throws {
        try pair.west.add(ada, name: "Ada")
        pair.step(west: [pair.west.command(ada, .teleport(requestID: 1, region: "West", gridPosition: GridPosition(x: 0, y: 0)!, position: Vector3(x, y, 0)))])
        pair.step(west: [pair.west.command(ada, .move(MovementIntent(mode: .run, heading: heading)))])
        for _ in 0..<frames {
            pair.step()
            #expect(pair.holders(ada).count <= 1, "two roots: \(pair.holders(ada))")
        }
    }

    @Test func anAvatarRunningOverTheBorderBecomesTheNeighboursWithItsMotion() throws {
        var pair = RegionPair()
        try running(&pair)
        #expect(pair.holders(ada) == ["East"])
        let state = try #require(pair.east.region.avatarState(ada))
        #expect(state.position.x > 0 && state.position.x < 40, "entered at East's west edge: \(state.position)")
        #expect(abs(state.position.y - 100) < 0.1)
        #expect(abs(state.velocity.x - MovementMode.run.speed) < 0.01, "keeps running")
        #expect(pair.west.region.avatarState(ada) == nil)
        #expect(pair.west.region.handoffCounters.committed == 1)
        #expect(pair.managerSaw.contains { if case .route = $0 { true } else { false } })
    }

    @Test func aFullNeighbourRefusesAndTheAvatarIsPushedBackInside() throws {
        var pair = RegionPair(eastSettings: .named("East", x: 1001, y: 1000, maxAvatars: 1))
        try pair.east.add(agent(9), name: "Occupant")
        try running(&pair, frames: 40)
        #expect(pair.holders(ada) == ["West"])
        let state = try #require(pair.west.region.avatarState(ada))
        #expect(state.position.x <= 255.5 && state.position.x > 250, "pushed back inside: \(state.position)")
        #expect(state.velocity == .zero)
        #expect(pair.managerSaw.contains(.failed(.regionFull)), "\(pair.managerSaw)")
        #expect(pair.west.region.handoffCounters.failed >= 1)
        #expect(pair.east.region.avatarState(ada) == nil)
    }

    @Test func aSilentNeighbourTimesOutAndTheAvatarStays() throws {
        var pair = RegionPair()
        pair.linked = false
        try running(&pair, frames: 30)
        // Frozen at the border while the offer waits; one source timeout (1 s) later, back inside.
        #expect(pair.west.region.handoffsInProgress == 1)
        #expect(pair.holders(ada).isEmpty, "a traveller is listed nowhere while in doubt")
        pair.run(50)
        #expect(pair.holders(ada) == ["West"])
        #expect(pair.managerSaw.contains(.failed(nil)))
        #expect(try #require(pair.west.position(ada)).x <= 255.5)
    }

    @Test func aClientManagerThatNeverSwitchesLeavesTheAvatarWithTheSource() throws {
        var pair = RegionPair()
        pair.managerSwitches = false
        try running(&pair, frames: 100)
        // The destination holds it pending; nobody activates it, so the source keeps asking.
        #expect(pair.east.region.avatarState(ada) == nil)
        #expect(pair.managerSaw.contains(.query), "the source asks the client manager after its timeout")
        #expect(pair.west.region.handoffsInProgress >= 1)
    }

    @Test func pastACornerWithNoRegionTheAvatarSlidesIntoTheSideThatHasOne() throws {
        var pair = RegionPair()
        try running(&pair, from: 252, 252, heading: .pi / 4, frames: 150)
        #expect(pair.holders(ada) == ["East"])
        let position = try #require(pair.east.position(ada))
        #expect(position.y < 256 && position.y > 255, "held at the north wall: \(position)")
    }

    @Test func anAvatarNearTheBorderIsAGhostInTheNeighbourAndLeavesWhenItWalksAway() throws {
        var pair = RegionPair()
        try pair.east.add(agent(2), name: "Bob")
        try running(&pair, from: 240, 128, heading: 0, frames: 0)
        pair.step(west: [pair.west.command(ada, .move(.stop))])
        pair.run(3)
        #expect(pair.east.region.ghostCount == 1)
        #expect(pair.west.region.ghostCount == 0, "Bob, at East's centre, is beyond West's margin")
        // Ada runs west, past the 64 m margin (48 m at 5.1 m/s): the ghost goes.
        pair.step(west: [pair.west.command(ada, .move(MovementIntent(mode: .run, heading: .pi)))])
        pair.run(45 * 8)
        #expect(pair.east.region.ghostCount == 1, "still within the margin at x ≈ 199")
        pair.run(45 * 3)
        #expect(pair.east.region.ghostCount == 0)
    }

    @Test func objectsNearTheBorderAreGhostedUntilTheyAreMovedAway() throws {
        var pair = RegionPair()
        try pair.west.add(ada, name: "Ada")
        let create = AgentCommand.createObject(requestID: 1, ObjectSpec(
            shape: .box, position: Vector3(250, 128, 22), rotation: .identity, scale: Vector3(1, 1, 1), name: "Crate"))
        pair.step(west: [pair.west.command(ada, create)])
        let crate = try #require(pair.west.region.objectIDs().first)
        pair.run(45)
        #expect(pair.east.region.ghostCount == 1, "the crate stays ghosted while nothing changes")
        pair.step(west: [pair.west.command(ada, .moveObject(requestID: 2, crate, position: Vector3(100, 128, 22)))])
        pair.run(2)
        #expect(pair.east.region.ghostCount == 0, "moved out of the margin")
        pair.step(west: [pair.west.command(ada, .moveObject(requestID: 3, crate, position: Vector3(255, 128, 22)))])
        pair.run(2)
        #expect(pair.east.region.ghostCount == 1, "and back in")
    }
}
