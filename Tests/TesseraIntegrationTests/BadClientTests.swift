import NIOCore
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraRegion
import TesseraTesting
import TesseraWorld

@Suite("Bad clients are closed with a reason; others carry on")
struct BadClientTests {
    /// Ada and Bob, logged in beside Mallory, who is about to misbehave.
    private func bystandersAndMallory(_ grid: ScenarioGrid) async throws -> (ada: ScenarioClient, bob: ScenarioClient, mallory: ScenarioClient) {
        let ada = try await ScenarioClient.connect(grid.url)
        let bob = try await ScenarioClient.connect(grid.url)
        try await ada.login("Ada")
        try await bob.login("Bob")
        let mallory = try await ScenarioClient.connect(grid.url)
        try await mallory.login("Mallory")
        return (ada, bob, mallory)
    }

    @Test("garbage bytes close that client with 4001, others keep chatting")
    func garbage() async throws {
        let grid = try await ScenarioGrid.start()
        let (ada, bob, mallory) = try await bystandersAndMallory(grid)
        // A Chat whose text length runs past the end of the frame.
        try await mallory.sendRaw(ByteBuffer(bytes: [0x03, 0x01, 0, 0, 0, 0, 0xFF, 0x00, 0x41]))
        try await mallory.waitForClose()
        #expect(mallory.closeCode == 4001)
        #expect(mallory.closeReason?.contains("truncated") == true)
        #expect(mallory.mirror.errors.last?.errorCode == .malformedMessage)

        try await ada.send(.chat(ChatSend(type: .say, text: "still here")))
        try await bob.waitFor("Bob still hears Ada") { $0.chat.contains { $0.text == "still here" } }
        #expect(grid.clientManager.stats.snapshot.protocolErrors == 1)

        await ada.close()
        await bob.close()
        await grid.stop()
    }

    @Test("an unknown message type closes with 4002")
    func unknownType() async throws {
        let grid = try await ScenarioGrid.start()
        let client = try await ScenarioClient.connect(grid.url)
        try await client.login("Eve")
        try await client.sendRaw(ByteBuffer(bytes: [0x7F, 1, 2, 3]))
        try await client.waitForClose()
        #expect(client.closeCode == 4002)
        await grid.stop()
    }

    @Test("a command before Login closes with 4003")
    func beforeLogin() async throws {
        let grid = try await ScenarioGrid.start()
        let client = try await ScenarioClient.connect(grid.url)
        try await client.send(.move(Move(mode: .walk, heading: 0)))
        try await client.waitForClose()
        #expect(client.closeCode == 4003)
        #expect(client.mirror.welcome == nil)
        await grid.stop()
    }

    @Test("an invalid name closes with 4005")
    func invalidName() async throws {
        let grid = try await ScenarioGrid.start()
        let client = try await ScenarioClient.connect(grid.url)
        try await client.send(.login(Login(name: " padded ", password: "")))
        try await client.waitForClose()
        #expect(client.closeCode == 4005)
        await grid.stop()
    }

    @Test("a client over the server's limit is refused with 4013")
    func serverFull() async throws {
        let grid = try await ScenarioGrid.start(extraClientManagerKeys: "max_clients = 1")
        let first = try await ScenarioClient.connect(grid.url)
        try await first.login("First")
        let second = try await ScenarioClient.connect(grid.url)
        try? await second.send(.login(Login(name: "Second", password: "")))
        try await second.waitForClose()
        #expect(second.closeCode == 4013)
        #expect(second.mirror.welcome == nil)
        await first.close()
        await grid.stop()
    }

    /// One `Teleport` by grid position with gridX = 2²⁴ from any logged-in client once trapped on
    /// the region's frame thread and stopped the whole process.
    @Test("a teleport beyond the grid closes that client with 4001; the region runs on")
    func teleportBeyondTheGrid() async throws {
        let grid = try await ScenarioGrid.start()
        let (ada, bob, mallory) = try await bystandersAndMallory(grid)
        let framesBefore = grid.regionNode.runners[0].stats.frame
        var teleport = ByteBuffer(bytes: [0x09, 7, 0, 0, 0, 0, 0])
        teleport.writeInteger(UInt32(16_777_216), endianness: .little)
        teleport.writeInteger(UInt32(0), endianness: .little)
        teleport.writeInteger(UInt8(0))
        try await mallory.sendRaw(teleport)
        try await mallory.waitForClose()
        #expect(mallory.closeCode == 4001)
        #expect(mallory.closeReason?.contains("teleport.gridX") == true)

        try await ada.send(.chat(ChatSend(type: .say, text: "still here")))
        try await bob.waitFor("Bob still hears Ada") { $0.chat.contains { $0.text == "still here" } }
        try await bob.waitFor("the region keeps stepping") { _ in grid.regionNode.runners[0].stats.frame > framesBefore + 10 }
        let late = try await ScenarioClient.connect(grid.url)
        try await late.login("Late")
        #expect(late.mirror.welcome != nil)
        await ada.close()
        await bob.close()
        await late.close()
        await grid.stop()
    }

    /// An object named with U+0000 once made every scene flush of its region fail.
    @Test("a NUL character in an object name closes that client with 4001; nothing is built")
    func nulInObjectName() async throws {
        let grid = try await ScenarioGrid.start()
        let mallory = try await ScenarioClient.connect(grid.url)
        try await mallory.login("Mallory")
        try await mallory.send(.createObject(CreateObject(
            requestID: 3, shape: .box, position: Vector3(128, 128, 22), scale: Vector3(1, 1, 1), name: "crate\u{0}")))
        try await mallory.waitForClose()
        #expect(mallory.closeCode == 4001)
        #expect(mallory.closeReason?.contains("U+0000") == true)
        #expect(try await grid.regionNode.runners[0].inspect { $0.objectCount } == 0)
        await grid.stop()
    }
}
