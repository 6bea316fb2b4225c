import Foundation
import TesseraRegion
import TesseraWire
import TesseraWorld

/// Drives one `Region` value on a manual clock, frame by frame: each step advances the
/// monotonic time by `spacing` seconds (one frame period by default) and the wall clock by the
/// same amount in milliseconds, from the readings `ManualFrameClock` starts at. The region's
/// inputs are given per step; its outputs are returned, for the test to deliver or inspect.
public struct RegionHarness {
    public var region: Region
    public var seconds: Double = ManualFrameClock.startSeconds
    public var spacing: Double
    public var lastOutput = RegionOutput()

    public static let startMillis: UInt64 = ManualFrameClock.startMillis

    public init(_ settings: RegionSettings = .test(), spacing: Double? = nil) {
        region = Region(settings: settings)
        self.spacing = spacing ?? 1 / Double(settings.frameRate)
    }

    public var settings: RegionSettings { region.settings }
    public var handle: RegionHandle { region.settings.handle }

    public var now: FrameInstant {
        FrameInstant(seconds: seconds, wallMillis: Self.startMillis + UInt64(((seconds - ManualFrameClock.startSeconds) * 1000).rounded()))
    }

    /// One frame with these inputs.
    @discardableResult
    public mutating func step(_ inputs: [RegionInput] = []) -> RegionOutput {
        let output = region.step(now: now, inputs: inputs)
        seconds += spacing
        lastOutput = output
        return output
    }

    /// `count` frames without inputs; returns every output.
    @discardableResult
    public mutating func run(_ count: Int) -> [RegionOutput] {
        (0..<count).map { _ in step() }
    }

    /// Connects a manager and joins an avatar in one frame; returns its local id.
    @discardableResult
    public mutating func join(_ agent: AgentID, name: String = "Avatar", manager: ManagerID = 1, connect: Bool = true) -> LocalID? {
        var inputs: [RegionInput] = connect ? [.managerConnected(manager)] : []
        inputs.append(.join(manager, AgentJoin(region: handle, agentID: agent, name: name)))
        let output = step(inputs)
        for case .agentJoined(let joined) in output.messages(for: manager) where joined.agentID == agent {
            return joined.localID
        }
        return nil
    }

    public struct JoinFailed: Error, CustomStringConvertible {
        public let agent: AgentID
        public var description: String { "the region did not answer the join of \(agent) with AgentJoined" }
    }

    /// `join`, throwing when the region does not accept the avatar.
    @discardableResult
    public mutating func add(_ agent: AgentID, name: String = "Avatar", manager: ManagerID = 1, connect: Bool = true) throws -> LocalID {
        guard let id = join(agent, name: name, manager: manager, connect: connect) else { throw JoinFailed(agent: agent) }
        return id
    }

    public func command(_ agent: AgentID, _ command: AgentCommand, manager: ManagerID = 1) -> RegionInput {
        .command(manager, AgentInput(region: handle, agentID: agent, command: command))
    }

    /// Sends one command in one frame and returns that frame's output.
    @discardableResult
    public mutating func send(_ agent: AgentID, _ command: AgentCommand, manager: ManagerID = 1) -> RegionOutput {
        step([self.command(agent, command, manager: manager)])
    }

    public mutating func move(_ agent: AgentID, _ mode: MovementMode, heading: Float = 0, vertical: Int8 = 0, manager: ManagerID = 1) {
        send(agent, .move(MovementIntent(mode: mode, heading: heading, vertical: vertical)), manager: manager)
    }

    public func position(_ agent: AgentID) -> Vector3? { region.avatarState(agent)?.position }

    /// Moves an avatar horizontally to `target` (within 0.08 m): flies most of the way at
    /// 10 m/s, walks the rest at 3.2 m/s, then stops. Uses whole frames only.
    public mutating func place(_ agent: AgentID, atX x: Float, y: Float, manager: ManagerID = 1) {
        for mode in [MovementMode.fly, .walk] {
            guard let start = position(agent) else { return }
            let delta = SIMD2(x - start.x, y - start.y)
            let distance = (delta * delta).sum().squareRoot()
            let perFrame = mode.speed / Float(settings.frameRate)
            let frames = Int(distance / perFrame)
            guard frames > 0 else { continue }
            send(agent, .move(MovementIntent(mode: mode, heading: atan2(delta.y, delta.x))), manager: manager)
            run(frames - 1)
        }
        move(agent, .stop, manager: manager)
    }
}

extension RegionSettings {
    public static func test(
        viewDistance: Float = 64, maxAvatars: Int = 2000, maxObjects: Int = 15000, interestInterval: Int = 4,
        spawnRadius: Float = 4
    ) -> RegionSettings {
        RegionSettings(
            name: "Test Region", gridPosition: GridPosition(x: 1000, y: 1000)!, viewDistance: viewDistance,
            maxAvatars: maxAvatars, maxObjects: maxObjects, interestInterval: interestInterval,
            spawnRadius: spawnRadius
        )
    }
}

extension RegionOutput {
    /// The region frame this output sends to `manager`, if any.
    public func frame(for manager: ManagerID) -> RegionFrame? {
        for case .regionFrame(let frame) in messages(for: manager) { return frame }
        return nil
    }

    /// The interest change addressed to one avatar in `manager`'s frame.
    public func interest(of agent: LocalID, manager: ManagerID = 1) -> InterestChange? {
        frame(for: manager)?.interest.first { $0.agent == agent }
    }
}

/// A fresh, readable agent id: the number in the last bytes.
public func agent(_ number: UInt8) -> AgentID {
    UUID(uuid: (0xA6, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, number))
}
