import TesseraBots
import TesseraClientProtocol
import TesseraTesting
import TesseraWorld

extension DeterministicGrid {
    /// The 2×2 square of the local grid: West and Northwest on scenario-node-1, East and
    /// Northeast on scenario-node-2.
    static func square() async throws -> DeterministicGrid {
        try await start(layout: ScenarioGrid.square)
    }

    /// Teleports the client within its region to (`x`, `y`) and steps until it sees itself there.
    func place(_ client: SteppedClient, x: Float, y: Float, request: UInt32) throws {
        client.send(.teleport(Teleport(requestID: request, region: client.regionName ?? "", position: Vector3(x, y, 0))))
        try run(until: "placed at (\(x), \(y))", within: 45) {
            guard let me = client.position else { return false }
            return abs(me.x - x) < 0.5 && abs(me.y - y) < 0.5
        }
    }

    /// Runs the client's avatar along `heading` until it is in `region`, then stops it;
    /// returns the frames the walk took.
    @discardableResult
    func walk(_ client: SteppedClient, heading: Float, into region: String) throws -> Int {
        client.send(.move(Move(mode: .run, headingRadians: heading)))
        let frames = try run(until: "arrives in \(region)", within: 15 * 45) { client.regionName == region && client.mirror.me != nil }
        client.send(.move(Move(mode: .stop, headingRadians: heading)))
        return frames
    }
}

extension SteppedClient {
    /// Where the client sees its own avatar, in its region's coordinates.
    var position: Vector3? { mirror.me?.motion.position.position }
}
