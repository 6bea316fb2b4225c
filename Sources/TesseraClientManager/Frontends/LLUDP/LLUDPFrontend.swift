import Foundation
import Logging
import NIOCore
import Synchronization
import TesseraClientProtocol
import TesseraLLUDP
import TesseraWire
import TesseraWorld

/// The Second Life front end of a client manager (docs/sl-protocol.md): XML-RPC logins,
/// capabilities and event queues on the client manager's HTTP port, and one UDP endpoint per
/// region a viewer talks to. Regions never see UDP: a viewer's avatar is a `ClientSession` like
/// any other, routed by the same code.
final class LLUDPFrontend: Sendable {
    let manager: ClientManager
    let group: EventLoopGroup
    let logger: Logger
    /// Where endpoints bind, and the address viewers are told.
    let bindHost: String
    let publicHost: String
    let basePort: Int
    private let state = Mutex(State())
    private let terrainCache = Mutex<[RegionHandle: [[UInt8]]]>([:])

    private struct State {
        var endpoints: [RegionHandle: LLUDPEndpoint] = [:]
        var binding: [RegionHandle: Task<LLUDPEndpoint, any Error>] = [:]
        var nextOffset = 0
        var viewersByCode: [UInt32: ViewerSession] = [:]
        var caps: [String: Capability] = [:]
        var stopped = false
    }

    enum Capability {
        case seed(ViewerSession, RegionHandle)
        case eventQueue(ViewerSession, RegionHandle)
    }

    init(manager: ClientManager, basePort: Int, group: EventLoopGroup, logger: Logger) {
        self.manager = manager
        self.group = group
        self.logger = logger
        self.basePort = basePort
        bindHost = manager.settings.host
        publicHost = manager.settings.publicHost
    }

    /// The login URI viewers use (the client manager's HTTP port).
    var loginURI: String {
        "\(manager.isSecure ? "https" : "http")://\(publicHost):\(manager.address?.port ?? manager.settings.port)/"
    }

    // MARK: Endpoints

    /// The endpoint viewers reach `region` at, bound on first use (base port + how many were
    /// bound before it; with base port 0, a port the system picks).
    func endpoint(for region: RegionHandle) async throws -> LLUDPEndpoint {
        let task = state.withLock { state -> Task<LLUDPEndpoint, any Error> in
            if let endpoint = state.endpoints[region] { return Task { endpoint } }
            if let binding = state.binding[region] { return binding }
            let port = basePort == 0 ? 0 : basePort + state.nextOffset
            state.nextOffset += 1
            let binding = Task { [self] in
                try await LLUDPEndpoint.bind(region: region, host: bindHost, port: port, group: group, frontend: self)
            }
            state.binding[region] = binding
            return binding
        }
        let endpoint: LLUDPEndpoint
        do {
            endpoint = try await task.value
        } catch {
            // The next viewer for this region tries again.
            state.withLock { $0.binding[region] = nil }
            throw error
        }
        let stray = state.withLock { state -> Bool in
            state.binding[region] = nil
            state.endpoints[region] = endpoint
            return state.stopped
        }
        if stray { endpoint.close() }
        return endpoint
    }

    var endpointPorts: [RegionHandle: Int] { state.withLock { $0.endpoints.mapValues(\.port) } }

    func stop() {
        let (endpoints, viewers) = state.withLock { state in
            state.stopped = true
            return (Array(state.endpoints.values), Array(state.viewersByCode.values))
        }
        for viewer in viewers { viewer.session.mailbox.serverStopping(); viewer.session.mailbox.wake() }
        for endpoint in endpoints { endpoint.close() }
    }

    // MARK: Datagrams

    /// One datagram from `address` on `endpoint` (on its event loop). Nothing of a sender
    /// without a circuit is kept: its datagram is a UseCircuitCode of a logged-in viewer, or
    /// dropped.
    func received(_ datagram: ByteBuffer, from address: SocketAddress, on endpoint: LLUDPEndpoint) {
        manager.stats.messagesReceived.add(1, ordering: .relaxed)
        manager.metrics.received(bytes: datagram.readableBytes)
        guard datagram.readableBytes <= SLProtocol.maxDatagramBytes else { return dropped("a datagram of \(datagram.readableBytes) bytes") }
        // A UseCircuitCode on a circuit that exists starts it again (a viewer coming back to a
        // region): a fresh circuit replaces the old one below.
        if let circuit = endpoint.circuit(for: address), !Self.isFreshUseCircuitCode(datagram) {
            let packets: [SLPacket]
            do {
                packets = try circuit.receive(datagram)
            } catch {
                return dropped("\(error)")
            }
            for packet in packets {
                do {
                    circuit.viewer.receive(try packet.decoded(), on: circuit)
                } catch {
                    dropped("\(error)")
                }
            }
            return
        }
        // No circuit: only a UseCircuitCode of a logged-in viewer opens one.
        let use: SL.UseCircuitCode
        do {
            let packet = try SLPacket.decode(datagram)
            guard case .useCircuitCode(let message) = try packet.decoded() else {
                return dropped("a message from \(address) without a circuit")
            }
            use = message
        } catch {
            return dropped("\(error)")
        }
        guard let viewer = state.withLock({ $0.viewersByCode[use.circuitCode.code] }),
            viewer.identity.sessionID == use.circuitCode.sessionID, viewer.identity.agentID == use.circuitCode.id
        else { return dropped("a UseCircuitCode with an unknown circuit code or session from \(address)") }
        let circuit = ViewerCircuit(endpoint: endpoint, address: address, viewer: viewer)
        let replaced = viewer.state.withLock { state -> ViewerCircuit? in
            defer { state.circuits[endpoint.region] = circuit }
            return state.circuits[endpoint.region]
        }
        replaced?.close()
        endpoint.attach(circuit)
        // Acknowledges it (the viewer waits for that ACK).
        _ = try? circuit.receive(datagram)
        _ = circuit.service()
        viewer.session.mailbox.wake()
        // A neighbour's circuit (a child agent, in Second Life's terms) gets its handshake and
        // land without a CompleteAgentMovement; a second's wait lets a viewer that is moving
        // there send that first (its handshake then comes as the root's).
        endpoint.channel.eventLoop.scheduleTask(in: .seconds(1)) { viewer.childHandshake(circuit) }
    }

    /// Whether a datagram carries a UseCircuitCode (Low 3) that is not a resend (a resend is
    /// the viewer missing our ACK, not starting again), read from its header only.
    static func isFreshUseCircuitCode(_ datagram: ByteBuffer) -> Bool {
        guard let flags = datagram.getInteger(at: datagram.readerIndex, as: UInt8.self),
            let extra = datagram.getInteger(at: datagram.readerIndex + 5, as: UInt8.self),
            let number = datagram.getInteger(at: datagram.readerIndex + 6 + Int(extra), as: UInt32.self)
        else { return false }
        // Zerocoded UseCircuitCode is not something a viewer sends; its header is read as is.
        return number == 0xFFFF_0003 && flags & SLPacket.Flags.resent.rawValue == 0
    }

    private func dropped(_ what: String) {
        manager.stats.protocolErrors.add(1, ordering: .relaxed)
        manager.metrics.droppedDatagrams.increment()
        logger.debug("dropped a datagram", metadata: ["why": "\(what)"])
    }

    func datagramError(_ error: any Error) {
        logger.debug("datagram error (ignored)", metadata: ["error": "\(error)"])
    }

    // MARK: Viewers and capabilities

    func register(_ viewer: ViewerSession) {
        state.withLock { $0.viewersByCode[viewer.identity.circuitCode] = viewer }
        manager.metrics.viewers.increment()
    }

    func remove(_ viewer: ViewerSession) {
        let removed = state.withLock { state -> Bool in
            guard state.viewersByCode[viewer.identity.circuitCode] === viewer else { return false }
            state.viewersByCode[viewer.identity.circuitCode] = nil
            return true
        }
        if removed { manager.metrics.viewers.decrement() }
    }

    var viewerCount: Int { state.withLock { $0.viewersByCode.count } }

    /// A new capability id: 128 random bits, unguessable.
    private func newCap(_ capability: Capability, viewer: ViewerSession) -> String {
        let id = UUID().uuidString.lowercased()
        state.withLock { $0.caps[id] = capability }
        viewer.remember(cap: id)
        return id
    }

    func capability(_ id: String) -> Capability? {
        state.withLock { $0.caps[id] }
    }

    func revoke(caps: [String]) {
        state.withLock { state in for id in caps { state.caps[id] = nil } }
    }

    func capURL(_ id: String) -> String {
        "\(manager.isSecure ? "https" : "http")://\(publicHost):\(manager.address?.port ?? manager.settings.port)/caps/\(id)"
    }

    func seedCapability(for viewer: ViewerSession, region: RegionHandle) -> String {
        capURL(newCap(.seed(viewer, region), viewer: viewer))
    }

    func eventQueueCapability(for viewer: ViewerSession, region: RegionHandle) -> String {
        capURL(newCap(.eventQueue(viewer, region), viewer: viewer))
    }

    // MARK: The world as viewers need it

    func position(of id: LocalID, in region: RegionHandle) -> Vector3? {
        manager.routes.route(region)?.snapshot().motion(id)?.position.position
    }

    func agentID(of id: LocalID, in region: RegionHandle) -> AgentID? {
        manager.routes.route(region)?.snapshot().infos[id]?.agentID
    }

    func isAvatar(_ id: LocalID, in region: RegionHandle?) -> Bool {
        region.flatMap { manager.routes.route($0)?.snapshot().infos[id]?.kind == .avatar } ?? false
    }

    func terrain(_ region: RegionHandle) -> Terrain {
        manager.settings.terrains[region] ?? .flat(21)
    }

    /// The region's LayerData blobs, encoded once per region.
    func terrainPatches(_ region: RegionHandle) -> [[UInt8]] {
        if let cached = terrainCache.withLock({ $0[region] }) { return cached }
        let blobs = SLTerrainPatches.layerData(heights: SLTerrainPatches.heights(from: terrain(region)))
        terrainCache.withLock { $0[region] = blobs }
        return blobs
    }

    /// The reachable regions around `region` (the eight squares about it).
    func neighbours(of region: RegionHandle) -> [RegionHandle] {
        let center = region.gridPosition
        var result: [RegionHandle] = []
        for dx in -1...1 {
            for dy in -1...1 where dx != 0 || dy != 0 {
                guard let position = center.offset(dx: dx, dy: dy), manager.routes.route(position.handle) != nil else { continue }
                result.append(position.handle)
            }
        }
        return result
    }

    func coarseLocations(in region: RegionHandle, for agent: AgentID) -> SL.CoarseLocationUpdate {
        let table = manager.routes.route(region)?.snapshot() ?? EntityTable()
        var avatars: [(AgentID, Vector3)] = []
        for (id, info) in table.infos where info.kind == .avatar {
            guard let agentID = info.agentID, let motion = table.motion(id) else { continue }
            avatars.append((agentID, motion.position.position))
        }
        return SLObjects.coarse(avatars, you: agent)
    }

    func simStats(_ region: RegionHandle) -> SL.SimStats {
        let table = manager.routes.route(region)?.snapshot() ?? EntityTable()
        let frameRate = Float(manager.settings.frameRates[region] ?? 45)
        return SLReplies.simStats(region: region, stamp: table.stamp, frameRate: frameRate, agents: table.infos.values.count { $0.kind == .avatar }, objects: table.count)
    }

    func mapBlocks(for agent: AgentID, _ range: SL.MapBlockRequest.PositionData) -> [SL.MapBlockReply] {
        let regions = manager.routes.all.map(\.descriptor).filter { descriptor in
            let position = descriptor.handle.gridPosition
            return position.x >= UInt32(range.minX) && position.x <= UInt32(range.maxX) && position.y >= UInt32(range.minY) && position.y <= UInt32(range.maxY)
        }
        return SLReplies.mapBlocks(agent: agent, regions: regions.prefix(64).map { ($0.handle.gridPosition, $0.name) })
    }
}
