import Foundation
import Synchronization
import TesseraRegion
import TesseraWire
import TesseraWorld

/// The links of a `DeterministicGrid` in memory: the client manager's connections to the
/// region nodes, the regions' inboxes and the node-to-node links. Nothing moves by itself: a
/// message waits here until the grid's `step()` delivers it, so every run delivers the same
/// messages in the same order.
final class InMemoryExchange: Sendable {
    /// A region node of the grid: its name and its regions.
    struct Node: Sendable {
        var name: String
        var regions: [RegionDescriptor]
    }

    private struct Link {
        var node: Int
        var received: @Sendable (WireMessage) -> Void
        var closed: @Sendable () -> Void
    }

    private struct State {
        var inboxes: [RegionHandle: [RegionInput]] = [:]
        var up: [Bool]
        var links: [ManagerID: Link] = [:]
        var nextManager: ManagerID = 1
        /// Answers a node gives a manager outside any frame (a join for a region it lacks).
        var nodeReplies: [(ManagerID, WireMessage)] = []
    }

    let nodes: [Node]
    private let nodeOf: [RegionHandle: Int]
    private let state: Mutex<State>

    init(nodes: [Node]) {
        self.nodes = nodes
        var nodeOf: [RegionHandle: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for region in node.regions { nodeOf[region.handle] = index }
        }
        self.nodeOf = nodeOf
        state = Mutex(State(up: nodes.map { _ in true }))
    }

    func node(of region: RegionHandle) -> Int? { nodeOf[region] }

    func isUp(_ node: Int) -> Bool { state.withLock { $0.up[node] } }

    /// A region's inputs since the last drain, in arrival order.
    func drain(_ region: RegionHandle) -> [RegionInput] {
        state.withLock { $0.inboxes.removeValue(forKey: region) ?? [] }
    }

    /// Whether a region has an input waiting that its runner would apply between frames.
    func hasUrgentInput(_ region: RegionHandle) -> Bool {
        state.withLock { $0.inboxes[region]?.contains(where: \.isUrgent) ?? false }
    }

    /// Queues an input for a region whose node is up; false when it is dropped.
    @discardableResult
    func push(_ input: RegionInput, to region: RegionHandle) -> Bool {
        guard let node = nodeOf[region] else { return false }
        return state.withLock { state in
            guard state.up[node] else { return false }
            state.inboxes[region, default: []].append(input)
            return true
        }
    }

    // MARK: Client manager links

    func open(
        node: Int, hello: Hello, received: @escaping @Sendable (WireMessage) -> Void, closed: @escaping @Sendable () -> Void
    ) throws -> (ManagerID, HelloAccepted) {
        let id = try state.withLock { state -> ManagerID in
            guard state.up[node] else { throw InMemoryLinkError.nodeDown(nodes[node].name) }
            let id = state.nextManager
            state.nextManager += 1
            state.links[id] = Link(node: node, received: received, closed: closed)
            for region in nodes[node].regions {
                state.inboxes[region.handle, default: []] += [.managerConnected(id), .managerNamed(id, hello.nodeName)]
            }
            return id
        }
        return (id, HelloAccepted(role: .region, nodeName: nodes[node].name, regions: nodes[node].regions))
    }

    /// A message from the client manager on link `id`, routed as a node's connection handler
    /// routes it (`RegionInput.fromManager`); a message a manager may not send closes the link.
    func fromManager(_ id: ManagerID, _ message: WireMessage) {
        guard let (region, input) = RegionInput.fromManager(id, message) else { return close(id) }
        state.withLock { state in
            guard let link = state.links[id] else { return }
            if nodeOf[region] == link.node {
                state.inboxes[region, default: []].append(input)
            } else if case .join(_, let join) = input {
                let refusal = AgentLeave(region: join.region, agentID: join.agentID, reason: .refused, message: "no region \(join.region) on this node")
                state.nodeReplies.append((id, .agentLeave(refusal)))
            }
        }
    }

    /// Hands a region's message to the client manager on link `id`, if it is still open.
    func toManager(_ id: ManagerID, _ message: WireMessage) {
        state.withLock { $0.links[id]?.received }?(message)
    }

    /// Delivers the answers nodes gave outside frames.
    func deliverNodeReplies() {
        let replies = state.withLock { state in
            defer { state.nodeReplies = [] }
            return state.nodeReplies
        }
        for (id, message) in replies { toManager(id, message) }
    }

    /// Ends link `id` from either side: its node's regions hear the manager left, the manager
    /// hears the connection closed.
    func close(_ id: ManagerID) {
        let link = state.withLock { state -> Link? in
            guard let link = state.links.removeValue(forKey: id) else { return nil }
            if state.up[link.node] {
                for region in nodes[link.node].regions { state.inboxes[region.handle, default: []].append(.managerDisconnected(id)) }
            }
            return link
        }
        link?.closed()
    }

    /// The node stops at once, as if killed: its inboxes are gone and its links close.
    func kill(_ node: Int) {
        let ids = state.withLock { state -> [ManagerID] in
            state.up[node] = false
            for region in nodes[node].regions { state.inboxes[region.handle] = nil }
            return state.links.filter { $0.value.node == node }.map(\.key).sorted()
        }
        for id in ids { close(id) }
    }
}

public enum InMemoryLinkError: Error, CustomStringConvertible {
    case nodeDown(String)

    public var description: String {
        switch self {
        case .nodeDown(let node): "region node \(node) is down"
        }
    }
}

/// Dials one region node of a `DeterministicGrid` in memory: the client manager's
/// `RegionLink` uses it exactly as it uses a TCP connector.
struct InMemoryNodeConnector: WireConnector {
    let exchange: InMemoryExchange
    let node: Int

    var address: String { "memory:\(exchange.nodes[node].name)" }

    func connect(
        hello: Hello, received: @escaping @Sendable (WireMessage) -> Void, closed: @escaping @Sendable () -> Void
    ) async throws -> (any WireConnection, HelloAccepted) {
        let (id, accepted) = try exchange.open(node: node, hello: hello, received: received, closed: closed)
        return (InMemoryConnection(exchange: exchange, id: id), accepted)
    }
}

/// The client manager's end of one in-memory link.
final class InMemoryConnection: WireConnection {
    let exchange: InMemoryExchange
    let id: ManagerID

    init(exchange: InMemoryExchange, id: ManagerID) {
        self.exchange = exchange
        self.id = id
    }

    func send(_ message: WireMessage) {
        exchange.fromManager(id, message)
    }

    func close() {
        exchange.close(id)
    }
}
