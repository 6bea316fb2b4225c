import Foundation
import Logging
import PostgresNIO
import Synchronization
import TesseraStorage

/// Inventory transactions per second with N concurrent clients: each client gives a copyable
/// item to its partner (one transaction) and rezzes a no-copy item and takes it back (two
/// transactions), in a loop. Each client works on its own pair of accounts, as pgbench's
/// clients mostly touch different rows; the baseline is pgbench on the same server.
public struct InventoryBenchmark: Sendable {
    public struct Result: Sendable, Hashable {
        public var clients: Int
        public var transactionsPerSecond: Double
        public var givesPerSecond: Double
        public var rezTakePairsPerSecond: Double
    }

    public var clients: Int
    public var seconds: Double

    public init(clients: Int, seconds: Double) {
        self.clients = clients
        self.seconds = seconds
    }

    public func run(client: PostgresClient, logger: Logger) async throws -> Result {
        let accounts = AccountStore(client: client, logger: logger, hasher: PasswordHasher(cost: 1 << 10, blockSize: 8, parallelism: 1))
        let inventory = InventoryStore(client: client, logger: logger)
        let assets = AssetStore(client: client, logger: logger)
        let run = UUID().uuidString.prefix(8)
        let region = try await RegionRegistry(client: client, logger: logger).register(
            name: "Bench \(run)", gridX: Int32.random(in: 0...1_000_000), gridY: Int32.random(in: 0...1_000_000),
            address: "127.0.0.1:0", node: "bench"
        )
        struct Worker: Sendable {
            var giver: UUID
            var recipient: UUID
            var copyable: UUID
            var noCopy: UUID
        }
        var workers: [Worker] = []
        for index in 0..<clients {
            let giver = try await accounts.create(name: "Giver \(run) \(index)", password: "bench password").id
            let recipient = try await accounts.create(name: "Taker \(run) \(index)", password: "bench password").id
            let root = try await inventory.createInventory(for: giver)
            _ = try await inventory.createInventory(for: recipient)
            let asset = try await assets.store(data: Data("bench asset \(run) \(index)".utf8), type: 6, name: "Box", creator: giver)
            let copyable = try await inventory.createItem(owner: giver, folder: root, assetID: asset, type: 6, name: "Copyable", masks: .full)
            let noCopy = try await inventory.createItem(
                owner: giver, folder: root, assetID: asset, type: 6, name: "Unique",
                masks: PermissionMasks(base: [.transfer, .modify, .move], owner: [.transfer, .modify, .move], nextOwner: [.transfer, .move])
            )
            workers.append(Worker(giver: giver, recipient: recipient, copyable: copyable, noCopy: noCopy))
        }
        let counters = Counters()
        let deadline = ContinuousClock.now + .seconds(seconds)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask {
                    var item = worker.noCopy
                    while ContinuousClock.now < deadline {
                        _ = try await inventory.give(item: worker.copyable, from: worker.giver, to: worker.recipient)
                        counters.gives.add(1, ordering: .relaxed)
                        let object = try await inventory.rez(item: item, owner: worker.giver, region: region, position: SIMD3(10, 10, 22))
                        item = try await inventory.take(object: object, by: worker.giver)
                        counters.pairs.add(1, ordering: .relaxed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let giveCount = Double(counters.gives.load(ordering: .relaxed))
        let pairCount = Double(counters.pairs.load(ordering: .relaxed))
        return Result(
            clients: clients, transactionsPerSecond: (giveCount + 2 * pairCount) / seconds,
            givesPerSecond: giveCount / seconds, rezTakePairsPerSecond: pairCount / seconds
        )
    }
}

private final class Counters: Sendable {
    let gives = Atomic<Int>(0)
    let pairs = Atomic<Int>(0)
}
