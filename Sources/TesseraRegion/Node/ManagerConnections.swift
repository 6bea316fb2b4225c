import Logging
import NIOCore
import Synchronization
import TesseraWire

/// The node's open client manager connections; the frame loops deliver their output here.
/// A manager that stops reading is given `maxUnwritableFrames` frames to catch up, then
/// disconnected (it reconnects and gets a fresh snapshot), so its backlog stays bounded.
public final class ManagerConnections: RegionOutputSink {
    private struct Connection {
        let channel: Channel
        var unwritableFrames = 0
        /// The client manager's node name, from its `Hello`.
        var name = ""
    }

    private let connections = Mutex([ManagerID: Connection]())
    private let nextID = Atomic<UInt64>(1)
    private let logger: Logger
    let maxUnwritableFrames: Int

    public init(logger: Logger, maxUnwritableFrames: Int = 225) {
        self.logger = logger
        self.maxUnwritableFrames = maxUnwritableFrames
    }

    func register(_ channel: Channel) -> ManagerID {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        connections.withLock { $0[id] = Connection(channel: channel) }
        return id
    }

    func name(_ id: ManagerID, _ name: String) {
        connections.withLock { $0[id]?.name = name }
    }

    /// The open connections' node names (a live migration's target seeds its new region with them).
    func names() -> [ManagerID: String] {
        connections.withLock { $0.mapValues(\.name) }
    }

    /// Writes one message on each named connection (`RegionMoved` after a migration).
    func send(_ messages: [ManagerID: WireMessage]) {
        let channels = connections.withLock { $0.mapValues(\.channel) }
        for (id, message) in messages { channels[id]?.writeAndFlush(message, promise: nil) }
    }

    func unregister(_ id: ManagerID) {
        _ = connections.withLock { $0.removeValue(forKey: id) }
    }

    public var count: Int { connections.withLock { $0.count } }

    public func deliver(_ output: RegionOutput) {
        var stalled: [Channel] = []
        let channels: [ManagerID: Channel] = connections.withLock { connections in
            var result: [ManagerID: Channel] = [:]
            for (id, var connection) in connections {
                connection.unwritableFrames = connection.channel.isWritable ? 0 : connection.unwritableFrames + 1
                if connection.unwritableFrames > maxUnwritableFrames { stalled.append(connection.channel) }
                connections[id] = connection
                result[id] = connection.channel
            }
            return result
        }
        for channel in stalled {
            logger.warning("closing a client manager connection that stopped reading", metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
            channel.close(promise: nil)
        }
        var touched: Set<ManagerID> = []
        for (id, message) in output.messages {
            guard let channel = channels[id] else { continue }
            channel.write(message, promise: nil)
            touched.insert(id)
        }
        for id in touched { channels[id]?.flush() }
    }

    func closeAll() {
        let channels = connections.withLock { $0.values.map(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }
}
