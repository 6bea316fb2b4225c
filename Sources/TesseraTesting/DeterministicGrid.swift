import Foundation
import Logging
import NIOPosix
import TesseraClientManager
import TesseraClientProtocol
import TesseraConfig
import TesseraGridProtocol
import TesseraLocalGrid
import TesseraPhysicsService
import TesseraRegion
import TesseraWire
import TesseraWorld

/// A whole grid in one process without sockets or threads of its own, stepped frame by frame
/// on a `ManualFrameClock`: every region of the config as a `Region` value, the real
/// `ClientManager` routing linked to them in memory, and clients served in process
/// (`SteppedClient`). One `step()` is one frame of every region, then every message those frames
/// sent is delivered in a fixed order, then hand-off steps are applied between frames as a
/// region runner applies them, then every client gets its tick. Nothing depends on wall-clock
/// time, so a scenario gives the same result on every run and on any machine.
///
/// Runs in development mode (no grid services): logins are not checked and there is no
/// inventory. With `physics`, each region has a Bullet world (`RegionWorld`, as in the physics
/// service) that answers each of its frames in time for the next; without, avatars and objects
/// move kinematically.
public final class DeterministicGrid {
    public let config: GridConfig
    public let clock = ManualFrameClock()
    public let clientManager: ClientManager
    /// Frames per second of the grid's regions (the first region's rate; one clock steps all).
    public let frameRate: Int
    /// How a grid call a frame asked for is answered, in the next frame. By default an
    /// object's row move succeeds and rez and take fail (there is no inventory).
    public var gridAnswer: (GridEffect) -> RegionInput? = DeterministicGrid.developmentAnswer
    public private(set) var frames = 0
    public private(set) var clients: [SteppedClient] = []

    let exchange: InMemoryExchange
    var slots: [Slot]
    var answers: [(RegionHandle, RegionInput)] = []
    /// Messages on their way, in the order they were sent, with the step that delivers them.
    private var inFlight: [(due: Int, message: InFlight)] = []

    private enum InFlight {
        case peer(RegionHandle, WireMessage)
        case manager(ManagerID, WireMessage)
    }

    /// Frames a message between regions of different nodes is on its way: 0 delivers it right
    /// after the frame that sent it; n > 0 at the start of the n-th step after. Regions of one
    /// node reach each other through their inboxes at once, as on a node.
    public var peerLatency = 0
    /// Frames a region's message to the client manager is on its way (as `peerLatency`).
    public var managerLatency = 0

    struct Slot {
        var region: Region
        let node: Int
        /// The region's world in the physics service, once its first snapshot built it.
        var world: RegionWorld?
    }

    /// Whether the physics service is up (`detachPhysics()`, `attachPhysics()`).
    public internal(set) var physicsAttached = false

    /// Regions between frames may react to hand-off steps this many times per step (a runner
    /// reacts once per event-loop turn; this bounds a ping-pong that never settles).
    static let reactionsPerStep = 8

    /// Builds the grid of `config` (its region nodes and first client manager) and links the
    /// client manager to every node.
    public static func start(config: GridConfig, physics: Bool = false) async throws -> DeterministicGrid {
        let grid = DeterministicGrid(config: config)
        if physics { grid.attachPhysics() }
        try await grid.clientManager.startLinks()
        grid.step()
        return grid
    }

    /// The grid of a scenario layout (one node per column, as `ScenarioGrid.start`), with the
    /// same extra region and client manager keys.
    public static func start(
        layout: [[ScenarioGrid.Region]] = [[ScenarioGrid.Region("Scenario Region", x: 1000, y: 1000)]], spawnRadius: Double = 3,
        extraRegionKeys: String = "", extraClientManagerKeys: String = "", physics: Bool = false
    ) async throws -> DeterministicGrid {
        let text = ScenarioGrid.toml(
            layout: layout, ports: layout.indices.map { 20_000 + $0 }, secret: "deterministic-grid",
            region: "spawn_radius = \(spawnRadius)\n" + extraRegionKeys, manager: extraClientManagerKeys, services: "")
        return try await start(config: GridConfig.parse(text, file: "deterministic"), physics: physics)
    }

    private init(config: GridConfig) {
        self.config = config
        let nodes = config.regionNodes.map { node in
            InMemoryExchange.Node(name: node.name, regions: node.regions.map { RegionDescriptor(handle: $0.gridPosition.handle, name: $0.name) })
        }
        let exchange = InMemoryExchange(nodes: nodes)
        self.exchange = exchange
        slots = config.regionNodes.enumerated().flatMap { index, node in
            node.regions.map { Slot(region: Region(settings: RegionSettings(config: $0)), node: index) }
        }
        frameRate = slots.first?.region.settings.frameRate ?? 45
        var settings = ClientManagerSettings(config: config.clientManagers[0], grid: config)
        settings.grid = nil
        var logger = Logger(label: "tessera.deterministic-grid")
        logger.logLevel = .critical
        clientManager = ClientManager(
            settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger,
            regionNodes: nodes.indices.map { InMemoryNodeConnector(exchange: exchange, node: $0) })
        announceReachable()
    }

    deinit {
        clientManager.stopLinks()
    }

    /// Closes the client manager's links (they would otherwise keep redialing a killed node).
    public func stop() {
        clientManager.stopLinks()
    }

    // MARK: Stepping

    /// One frame of every live region, then delivery, reactions and client ticks.
    public func step() {
        let now = clock.now()
        let answered = answers
        answers = []
        for (region, input) in answered { exchange.push(input, to: region) }
        let due = inFlight.filter { $0.due <= frames }
        inFlight.removeAll { $0.due <= frames }
        for (_, message) in due {
            switch message {
            case .peer(let target, let message): exchange.push(.peer(message), to: target)
            case .manager(let manager, let message): exchange.toManager(manager, message)
            }
        }
        var outputs: [(Int, RegionOutput)] = []
        for index in slots.indices where exchange.isUp(slots[index].node) {
            let inputs = exchange.drain(slots[index].region.settings.handle)
            outputs.append((index, slots[index].region.step(now: now, inputs: inputs)))
        }
        for (index, output) in outputs { deliver(output, from: index) }
        exchange.deliverNodeReplies()
        react(now: now)
        for client in clients { client.tick() }
        frames += 1
        clock.advance(by: 1 / Double(frameRate))
    }

    public func run(_ count: Int) {
        for _ in 0..<count { step() }
    }

    /// Steps until `condition` holds, at most `frames` frames; returns the frames it took.
    /// A deadline in frames, not in time: the answer is the same on every run.
    @discardableResult
    public func run(until what: String, within frames: Int = 450, _ condition: () -> Bool) throws -> Int {
        for taken in 0...frames {
            if condition() { return taken }
            if taken < frames { step() }
        }
        throw DeterministicGridError.notReached(what, frames: frames)
    }

    /// Applies hand-off steps between frames, as `RegionRunner.scheduleReaction` does: a region
    /// with an urgent input drains its whole inbox in `Region.react`.
    private func react(now: FrameInstant) {
        for _ in 0..<Self.reactionsPerStep {
            let ready = slots.indices.filter { exchange.isUp(slots[$0].node) && exchange.hasUrgentInput(slots[$0].region.settings.handle) }
            guard !ready.isEmpty else { return }
            for index in ready {
                let output = slots[index].region.react(now: now, inputs: exchange.drain(slots[index].region.settings.handle))
                deliver(output, from: index)
            }
            exchange.deliverNodeReplies()
        }
    }

    private func deliver(_ output: RegionOutput, from index: Int) {
        let source = slots[index].region.settings.handle
        for (manager, message) in output.messages {
            if managerLatency > 0 {
                inFlight.append((frames + managerLatency, .manager(manager, message)))
            } else {
                exchange.toManager(manager, message)
            }
        }
        for (target, message) in output.peerMessages {
            // A region on a dead node gets nothing, as over a closed link.
            if peerLatency > 0, exchange.node(of: target) != slots[index].node {
                inFlight.append((frames + peerLatency, .peer(target, message)))
            } else {
                exchange.push(.peer(message), to: target)
            }
        }
        for effect in output.gridEffects {
            if let answer = gridAnswer(effect) { answers.append((source, answer)) }
        }
        if let frame = output.physicsFrame, physicsAttached { answers.append((source, .physicsResult(simulate(frame, in: index)))) }
    }

    /// Tells every live region which others it reaches (as `PeerLinks.announce` does).
    private func announceReachable() {
        var reachable: [RegionHandle: String] = [:]
        for slot in slots where exchange.isUp(slot.node) { reachable[slot.region.settings.handle] = slot.region.settings.name }
        for slot in slots where exchange.isUp(slot.node) {
            var others = reachable
            others[slot.region.settings.handle] = nil
            exchange.push(.regions(others), to: slot.region.settings.handle)
        }
    }

    // MARK: Failures

    /// Kills a region node between two frames, as SIGKILL would: its regions stop, messages
    /// for them are lost, the client manager's link to it closes and the other regions learn
    /// they no longer reach it.
    public func kill(node name: String) throws {
        guard let node = exchange.nodes.firstIndex(where: { $0.name == name }) else { throw DeterministicGridError.unknownNode(name) }
        exchange.kill(node)
        announceReachable()
    }

    // MARK: Clients

    /// A client connected in process (not logged in yet).
    public func connect() -> SteppedClient {
        let client = SteppedClient(clientManager.connectInProcess())
        clients.append(client)
        return client
    }

    /// Connects, logs in as `name` (development mode: no password) and steps until `Welcome`.
    public func login(_ name: String, startRegion: String = "", within frames: Int = 45) throws -> SteppedClient {
        let client = connect()
        client.send(.login(Login(name: name, credential: .password(""), startRegion: startRegion)))
        try run(until: "\(name) is welcomed", within: frames) { client.welcome != nil || client.isFinished }
        guard client.welcome != nil else { throw DeterministicGridError.loginRefused(name, client.closure?.reason ?? "") }
        return client
    }

    // MARK: Inspection

    /// The region named `name` as it is between frames (also on a killed node: as it died).
    public func region(_ name: String) -> Region? {
        slots.first { $0.region.settings.name == name }?.region
    }

    /// The live regions where `agent` is root, by name, in the config's order.
    public func roots(of agent: AgentID) -> [String] {
        slots.filter { exchange.isUp($0.node) && $0.region.rootAgents.contains(agent) }.map(\.region.settings.name)
    }

    /// Every agent that is root somewhere, with the live regions where it is.
    public var rootRegions: [AgentID: [String]] {
        var roots: [AgentID: [String]] = [:]
        for slot in slots where exchange.isUp(slot.node) {
            for agent in slot.region.rootAgents { roots[agent, default: []].append(slot.region.settings.name) }
        }
        return roots
    }

    /// Answers without grid services: an object's row move succeeds (there is no row), rez
    /// and take are refused as unavailable.
    public static func developmentAnswer(_ effect: GridEffect) -> RegionInput? {
        let unavailable = CallStatus(.serviceUnavailable, "no grid services in a deterministic grid")
        switch effect {
        case .moveObject(let handoff, _, _):
            return .objectMoved(handoff, .success(()))
        case .rez(let agent, let manager, let requestID, _, _, _):
            return .rezResult(agent: agent, manager: manager, requestID: requestID, .failure(unavailable))
        case .take(let agent, let manager, let requestID, _, let object, _, _, _):
            return .takeResult(agent: agent, manager: manager, requestID: requestID, object: object, .failure(unavailable))
        case .storeScript(let agent, let manager, let requestID, _, let object, _, _), .scriptItem(let agent, let manager, let requestID, _, let object, _, _):
            return .scriptReady(agent: agent, manager: manager, requestID: requestID, object: object, .failure(unavailable))
        }
    }
}

public enum DeterministicGridError: Error, CustomStringConvertible {
    case notReached(String, frames: Int)
    case unknownNode(String)
    case loginRefused(String, String)

    public var description: String {
        switch self {
        case .notReached(let what, let frames): "not reached within \(frames) frames: \(what)"
        case .unknownNode(let name): "no region node \(name) in the grid"
        case .loginRefused(let name, let reason): "\(name) was not welcomed: \(reason)"
        }
    }
}
