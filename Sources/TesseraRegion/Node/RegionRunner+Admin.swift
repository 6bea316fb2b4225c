import Foundation
import NIOCore
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

/// The admin console's actions on one running region (docs/console.md). Each runs on the
/// region's loop between frames; what clients must learn leaves with the next frame.
extension RegionRunner {
    /// How long a restart waits for its evacuating hand-offs before logging out the rest.
    static let evacuationTimeout: Duration = .seconds(5)

    public func admin(_ action: AdminRequest.Action) async -> AdminReply.Outcome {
        do {
            switch action {
            case .listAgents:
                return .agents(try await onLoop { $0.region.agentEntries() })
            case .kick(let agent, let message):
                let kicked = try await onLoop { $0.region.kick(agent, message: message) }
                return kicked ? .done(affected: 1, detail: "kicked from \(settings.name)") : .notHere
            case .alert(let audience, let message):
                let count = try await onLoop { $0.region.alert(audience, message: message) }
                if case .region(let handle) = audience, handle != settings.handle { return .notHere }
                if case .agent = audience, count == 0 { return .notHere }
                return .done(affected: UInt32(count), detail: "alerted in \(settings.name)")
            case .teleport(let agent, let region, let gridPosition, let position):
                return try await onLoop { runner in
                    runner.region.adminTeleport(agent, region: region, gridPosition: gridPosition, position: position, now: runner.clock.now())
                }
            case .restart(let handle, let message):
                guard handle == settings.handle else { return .notHere }
                return await restart(message: message)
            case .scripts, .controlScript:
                return try await onLoop { $0.region.adminScripts(action) }
            case .moveRegion:
                // A move is the node's (`RegionNode.move`), not one region's.
                return .notHere
            }
        } catch {
            return .failed(code: ErrorCode.serviceUnavailable.rawValue, message: "region \(settings.name) is not running: \(error)")
        }
    }

    /// Evacuates the avatars (neighbour, or told and logged out), writes the scene, clears it
    /// and puts the stored scene back. Without grid services the scene comes back from memory.
    func restart(message: String) async -> AdminReply.Outcome {
        do {
            let (moved, loggedOut) = try await onLoop { $0.region.evacuate(message: message, now: $0.clock.now()) }
            let deadline = ContinuousClock.now + Self.evacuationTimeout
            while ContinuousClock.now < deadline, try await onLoop({ $0.region.avatarCount }) > 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            let stragglers = try await onLoop { $0.region.logOutRemaining(message: message) }
            guard await flushNow() else {
                return .failed(code: ErrorCode.serviceUnavailable.rawValue, message: "the scene of \(settings.name) could not be written; it was not restarted")
            }
            let kept = try await onLoop { runner -> [SceneObjectRecord]? in
                guard runner.grid == nil else { return nil }
                return runner.region.objectRecords()
            }
            var records = kept ?? []
            if let (port, regionID) = grid {
                switch await port.loadScene(region: regionID) {
                case .success(let stored): records = stored
                case .failure(let status):
                    return .failed(code: ErrorCode.serviceUnavailable.rawValue, message: "the stored scene of \(settings.name) could not be read: \(status.message)")
                }
            }
            let restoring = records
            let objects = try await onLoop { runner -> Int in
                runner.region.clearScene()
                runner.region.restore(restoring)
                _ = runner.region.takeSceneDelta()
                return runner.region.objectCount
            }
            published.withLock { $0.restarts += 1 }
            return .done(
                affected: UInt32(moved + loggedOut),
                detail: "\(settings.name) restarted: \(moved - stragglers) avatars moved to a neighbour, \(loggedOut + stragglers) logged out, \(objects) objects restored")
        } catch {
            return .failed(code: ErrorCode.serviceUnavailable.rawValue, message: "region \(settings.name) is not running: \(error)")
        }
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (RegionRunner) -> T) async throws -> T {
        try await loop.submit { body(self) }.get()
    }
}
