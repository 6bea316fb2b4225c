import Foundation
import NIOSSL
import TesseraBots
import TesseraClientProtocol
import TesseraGrid
import TesseraGridProtocol
import TesseraWorld

/// The grid services seen from clients: two avatars log in through the client manager with
/// their passwords; the giver makes an item from a new asset, gives a copy to the taker, rezzes
/// the item into the region and takes it back. Each step is printed. `tessera up --bots N`
/// runs it with two demo accounts; `tessera demo inventory` with accounts made by
/// `tessera user create`.
public struct InventoryDemo: Sendable {
    public struct Avatar: Sendable {
        public var name: String
        public var password: String

        public init(name: String, password: String) {
            self.name = name
            self.password = password
        }
    }

    let url: String
    let giver: Avatar
    let taker: Avatar
    /// What a wss:// URL is checked with (nil: the system's roots), and the TLS server name sent.
    let tls: TLSConfiguration?
    var serverName: String?
    let output: @Sendable (String) -> Void

    public init(url: String, giver: Avatar, taker: Avatar, tls: TLSConfiguration? = nil, output: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.tls = tls
        self.giver = giver
        self.taker = taker
        self.output = output
    }

    /// The demo accounts of `tessera up`, with a fresh password each run.
    static func demoAccounts(_ operations: GridOperations) async throws -> (Avatar, Avatar) {
        let password = "demo-" + UUID().uuidString
        let avatars = (Avatar(name: "Demo Giver", password: password), Avatar(name: "Demo Taker", password: password))
        for name in [avatars.0.name, avatars.1.name] where try await !operations.accounts.setPassword(name: name, password: password) {
            _ = try await operations.accounts.create(name: name, password: password)
        }
        return avatars
    }

    /// Runs every step; the first failure is thrown.
    public func run() async throws {
        let giverClient = try await ScenarioClient.connect(url, tls: tls, serverName: serverName)
        let takerClient = try await ScenarioClient.connect(url, tls: tls, serverName: serverName)
        defer { Task { await giverClient.close(); await takerClient.close() } }
        try await giverClient.login(giver.name, password: giver.password)
        try await takerClient.login(taker.name, password: taker.password)
        output("Demo: \(giver.name) and \(taker.name) logged in with their passwords.")
        try await steps(giverClient, takerClient)
    }

    private func steps(_ giver: ScenarioClient, _ taker: ScenarioClient) async throws {

        guard case .asset(let asset) = try await giver.call(.storeAsset(type: 6, name: "Demo Crate", data: Data("a wooden crate".utf8))),
            case .page(let root) = try await giver.call(.listFolder(folder: nil, start: 0)),
            let objects = root.folders.first(where: { $0.kind == 2 })
        else { throw DemoError.unexpected("asset or Objects folder") }
        let copyTransfer: UInt32 = 0x8000 | 0x2000 | 0x4000
        guard case .id(let item) = try await giver.call(.createItem(folder: objects.id, asset: asset, name: "Demo Crate", nextOwner: copyTransfer)) else {
            throw DemoError.unexpected("item")
        }
        guard case .id(let given) = try await giver.call(.give(item, to: self.taker.name)) else { throw DemoError.unexpected("give") }
        guard case .page(let takerRoot) = try await taker.call(.listFolder(folder: nil, start: 0)),
            takerRoot.items.contains(where: { $0.id == given })
        else { throw DemoError.unexpected("the given item in the taker's inventory") }
        output("Demo: \(self.giver.name) made item \(item) (asset \(asset)) and gave a copy to \(self.taker.name), who has it as item \(given).")

        let here = giver.mirror.me?.motion.position.position ?? Vector3(128, 128, 21)
        guard case .rezzed(let object, let localID) = try await giver.call(.rez(item, at: Vector3(here.x + 2, here.y, here.z))) else {
            throw DemoError.unexpected("rez")
        }
        try await giver.waitFor("the rezzed crate in view") { $0.entities[localID] != nil }
        output("Demo: \(self.giver.name) rezzed the crate as object \(object) (local id \(localID)) and sees it in the region.")
        guard case .id(let taken) = try await giver.call(.take(localID)) else { throw DemoError.unexpected("take") }
        try await giver.waitFor("the crate gone from the region") { $0.entities[localID] == nil }
        output("Demo: \(self.giver.name) took the crate back into inventory as item \(taken).")
    }
}

public enum DemoError: Error, CustomStringConvertible {
    case unexpected(String)

    public var description: String {
        switch self {
        case .unexpected(let what): "unexpected answer for \(what)"
        }
    }
}
