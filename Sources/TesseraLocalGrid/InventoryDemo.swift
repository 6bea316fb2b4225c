import Foundation
import TesseraBots
import TesseraClientProtocol
import TesseraGrid
import TesseraGridProtocol
import TesseraWorld

/// What `tessera up --bots N` shows of the grid services: two demo avatars log in through the
/// client manager with passwords, one makes an item from a new asset, gives it to the other,
/// rezzes one into the region and takes it back. Each step is printed.
struct InventoryDemo: Sendable {
    let url: String
    let operations: GridOperations
    let output: @Sendable (String) -> Void

    static let giver = "Demo Giver"
    static let taker = "Demo Taker"

    func run() async {
        do {
            try await perform()
        } catch {
            output("Inventory demo failed: \(error)")
        }
    }

    private func perform() async throws {
        let password = "demo-" + UUID().uuidString
        for name in [Self.giver, Self.taker] where try await !operations.accounts.setPassword(name: name, password: password) {
            _ = try await operations.accounts.create(name: name, password: password)
        }
        let giver = try await ScenarioClient.connect(url)
        let taker = try await ScenarioClient.connect(url)
        defer { Task { await giver.close(); await taker.close() } }
        try await giver.login(Self.giver, password: password)
        try await taker.login(Self.taker, password: password)
        output("Demo: \(Self.giver) and \(Self.taker) logged in with their passwords.")

        guard case .asset(let asset) = try await giver.call(.storeAsset(type: 6, name: "Demo Crate", data: Data("a wooden crate".utf8))),
            case .page(let root) = try await giver.call(.listFolder(folder: nil, start: 0)),
            let objects = root.folders.first(where: { $0.kind == 2 })
        else { throw DemoError.unexpected("asset or Objects folder") }
        let copyTransfer: UInt32 = 0x8000 | 0x2000 | 0x4000
        guard case .id(let item) = try await giver.call(.createItem(folder: objects.id, asset: asset, name: "Demo Crate", nextOwner: copyTransfer)) else {
            throw DemoError.unexpected("item")
        }
        guard case .id(let given) = try await giver.call(.give(item, to: Self.taker)) else { throw DemoError.unexpected("give") }
        output("Demo: \(Self.giver) made item \(item) (asset \(asset)) and gave a copy to \(Self.taker) (item \(given)).")

        let here = giver.mirror.me?.motion.position.position ?? Vector3(128, 128, 21)
        guard case .rezzed(let object, let localID) = try await giver.call(.rez(item, at: Vector3(here.x + 2, here.y, here.z))) else {
            throw DemoError.unexpected("rez")
        }
        try await giver.waitFor("the rezzed crate in view") { $0.entities[localID] != nil }
        output("Demo: \(Self.giver) rezzed the crate as object \(object) (local id \(localID)) and sees it in the region.")
        guard case .id(let taken) = try await giver.call(.take(localID)) else { throw DemoError.unexpected("take") }
        output("Demo: \(Self.giver) took the crate back into inventory as item \(taken).")
    }
}

enum DemoError: Error, CustomStringConvertible {
    case unexpected(String)

    var description: String {
        switch self {
        case .unexpected(let what): "unexpected answer for \(what)"
        }
    }
}
