import Foundation
import TesseraStorage
import TesseraWire

/// Runs `tessera physics` as a child process of `tessera up` and starts it again when it
/// ends: the physics service is a process of its own, so a crash or a heavy scene there costs
/// the regions nothing but physics (they move kinematically until it is back, then resume
/// from a snapshot; docs/physics.md).
public struct PhysicsProcess: Sendable {
    /// The `tessera` executable to run (`/proc/self/exe` for `tessera up`).
    public var executable: String
    public var configPath: String
    /// Where its output goes.
    public var logPath: String

    public init(executable: String, configPath: String, logPath: String) {
        self.executable = executable
        self.configPath = configPath
        self.logPath = logPath
    }
}

struct PhysicsSupervisor: Sendable {
    let process: PhysicsProcess
    let output: @Sendable (String) -> Void
    /// Pauses before each restart (docs/service-exchange.md, "Reconnect policy"): 1 s after a
    /// process that ran 30 s, doubling up to 30 s while it keeps ending sooner.
    var policy: ReconnectPolicy = .childProcess

    /// Keeps the child running until the task is cancelled, then stops it.
    func run() async {
        var restarts = 0
        var reconnector = Reconnector(policy: policy)
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let pid: pid_t
            do {
                pid = try ChildProcess.spawn(
                    process.executable,
                    ["physics", "--config", process.configPath, "--log-level", "warning", "--parent-pid", "\(getpid())"],
                    outputPath: process.logPath)
            } catch {
                let pause = reconnector.dialFailed(using: &random)
                if reconnector.logsDialFailure {
                    output("Physics: could not start the service (\(error)); trying again in \(Self.seconds(pause))")
                }
                try? await Task.sleep(for: pause)
                continue
            }
            reconnector.connected(at: LinkClock.seconds())
            if restarts == 0 { output("Physics: tessera physics running as process \(pid), its log in \(process.logPath)") }
            var status: Int32?
            while !Task.isCancelled {
                status = ChildProcess.poll(pid)
                if status != nil { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
            guard let status else {
                await ChildProcess.stop(pid)
                return
            }
            restarts += 1
            let pause = reconnector.disconnected(at: LinkClock.seconds(), using: &random)
            // Wait status: low 7 bits the signal, else the exit code in the next byte.
            let how = status & 0x7F != 0 ? "killed by signal \(status & 0x7F)" : "exited with status \((status >> 8) & 0xFF)"
            output("Physics: the service \(how); regions move kinematically until it is back. Starting it again in \(Self.seconds(pause)) (restart \(restarts)).")
            try? await Task.sleep(for: pause)
        }
    }

    /// "1 s", "2.5 s".
    static func seconds(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return millis % 1000 == 0 ? "\(millis / 1000) s" : "\(Double(millis) / 1000) s"
    }
}
