import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

/// The client manager's edge for protocol 6: what it refuses itself before anything reaches a
/// region, whatever the region does with scripts.
@Suite("Protocol 6 at the client manager's edge")
struct ClientScriptEdgeScenarioTests {
    @Test("a client of version 5 that sends a version 6 message is closed as for an unknown type")
    func olderClientSendingTouch() async throws {
        let grid = try await DeterministicGrid.start()
        defer { grid.stop() }
        let old = grid.connect()
        old.send(.login(Login(version: 5, name: "Ada", credential: .password(""))))
        try grid.run(until: "Ada is welcomed", within: 45) { old.welcome != nil }
        old.send(.touch(TouchObject(localID: 1, phase: .start)))
        try grid.run(until: "the connection closes", within: 10) { old.isFinished }
        #expect(old.closure?.code == .unknownMessageType)
        #expect(old.closure?.reason == "message type 0x0C is part of protocol version 6; this connection logged in with version 5")
    }

    @Test("a client may not say region-wide or owner-only chat: the message is malformed")
    func objectOnlyChatFromAClient() async throws {
        let grid = try await DeterministicGrid.start()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        ada.send(.chat(ChatSend(type: .regionSay, text: "everyone!")))
        try grid.run(until: "the connection closes", within: 10) { ada.isFinished }
        #expect(ada.closure?.code == .malformedMessage)
        #expect(ada.closure?.reason == "invalid chat.type: 3 (regionSay) is said by objects only; a client says 0, 1 or 2")
    }

    @Test("an AddScript without a name is refused with its request id, and the connection stays")
    func addScriptWithoutAName() async throws {
        let grid = try await DeterministicGrid.start()
        defer { grid.stop() }
        let ada = try grid.login("Ada")
        ada.send(.addScript(AddScript(requestID: 41, localID: 1, name: "", source: .text("default { }"))))
        ada.send(.ping(Ping(nonce: 7, clientTimeMillis: 0)))
        try grid.run(until: "the pong", within: 10) { !ada.mirror.pongs.isEmpty }
        #expect(ada.mirror.errors == [ServerError(.invalidValue, requestID: 41, message: "addScript.name is empty; a script's name is 1 to 63 bytes")])
        #expect(!ada.isFinished)
    }
}
