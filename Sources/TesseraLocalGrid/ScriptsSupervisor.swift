import Foundation
import TesseraStorage
import TesseraWire

/// Runs `tessera scripts` as a child process of `tessera up` and starts it again when it
/// ends, as physics is run: a script service that crashes or is killed costs the regions
/// nothing but their scripts' time; they hold the scripts' events until it is back, then it
/// resumes every script from its last checkpoint (docs/scripts.md).
public struct ScriptsProcess: Sendable {
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

    /// The child's command line after the executable; `--parent-pid` makes it stop when
    /// `tessera up` is gone.
    func arguments(parent: pid_t) -> [String] {
        ["scripts", "--config", configPath, "--log-level", "warning", "--parent-pid", "\(parent)"]
    }
}

struct ScriptsSupervisor: Sendable {
    let process: ScriptsProcess
    let output: @Sendable (String) -> Void
    /// Pauses before each restart, as for physics (docs/service-exchange.md, "Reconnect
    /// policy"): 1 s after a process that ran 30 s, doubling up to 30 s while it keeps ending sooner.
    var policy: ReconnectPolicy = .childProcess

    /// Keeps the child running until the task is cancelled, then stops it.
    func run() async {
        var restarts = 0
        var reconnector = Reconnector(policy: policy)
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let pid: pid_t
            do {
                pid = try ChildProcess.spawn(process.executable, process.arguments(parent: getpid()), outputPath: process.logPath)
            } catch {
                let pause = reconnector.dialFailed(using: &random)
                if reconnector.logsDialFailure {
                    output("Scripts: could not start the service (\(error)); trying again in \(PhysicsSupervisor.seconds(pause))")
                }
                try? await Task.sleep(for: pause)
                continue
            }
            reconnector.connected(at: LinkClock.seconds())
            if restarts == 0 { output("Scripts: tessera scripts running as process \(pid), its log in \(process.logPath)") }
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
            output(
                "Scripts: the service \(how); regions hold their scripts' events until it is back. "
                    + "Starting it again in \(PhysicsSupervisor.seconds(pause)) (restart \(restarts)).")
            try? await Task.sleep(for: pause)
        }
    }
}
