import Foundation
import TesseraStorage
import TesseraWire

/// Runs an offloaded service (`tessera physics`, `tessera scripts`) as a child process of
/// `tessera up` and starts it again when it ends: the service is a process of its own, so a
/// crash or a heavy load there costs the regions nothing but that service's work until it is
/// back (docs/service-exchange.md).
struct ServiceSupervisor: Sendable {
    /// "Physics", "Scripts": how its lines start.
    let title: String
    /// The `tessera` subcommand that runs the service.
    let command: String
    /// What the regions do meanwhile, for the restart line.
    let whileAway: String
    let executable: String
    let configPath: String
    let logPath: String
    let output: @Sendable (String) -> Void
    /// Pauses before each restart (docs/service-exchange.md, "Reconnect policy"): 1 s after a
    /// process that ran 30 s, doubling up to 30 s while it keeps ending sooner.
    var policy: ReconnectPolicy = .childProcess

    /// The child's command line after the executable; `--parent-pid` makes it stop when
    /// `tessera up` is gone.
    func arguments(parent: pid_t) -> [String] {
        [command, "--config", configPath, "--log-level", "warning", "--parent-pid", "\(parent)"]
    }

    /// Keeps the child running until the task is cancelled, then stops it.
    func run() async {
        var restarts = 0
        var reconnector = Reconnector(policy: policy)
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let pid: pid_t
            do {
                pid = try ChildProcess.spawn(executable, arguments(parent: getpid()), outputPath: logPath)
            } catch {
                let pause = reconnector.dialFailed(using: &random)
                if reconnector.logsDialFailure {
                    output("\(title): could not start the service (\(error)); trying again in \(Self.seconds(pause))")
                }
                try? await Task.sleep(for: pause)
                continue
            }
            reconnector.connected(at: LinkClock.seconds())
            if restarts == 0 { output("\(title): tessera \(command) running as process \(pid), its log in \(logPath)") }
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
            output("\(title): the service \(how); \(whileAway). Starting it again in \(Self.seconds(pause)) (restart \(restarts)).")
            try? await Task.sleep(for: pause)
        }
    }

    /// "1 s", "2.5 s".
    static func seconds(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return millis % 1000 == 0 ? "\(millis / 1000) s" : "\(Double(millis) / 1000) s"
    }
}

extension ServiceSupervisor {
    static func physics(_ process: ServiceProcess, output: @escaping @Sendable (String) -> Void) -> ServiceSupervisor {
        ServiceSupervisor(
            title: "Physics", command: "physics", whileAway: "regions move kinematically until it is back",
            executable: process.executable, configPath: process.configPath, logPath: process.logPath, output: output)
    }

    static func scripts(_ process: ServiceProcess, output: @escaping @Sendable (String) -> Void) -> ServiceSupervisor {
        ServiceSupervisor(
            title: "Scripts", command: "scripts", whileAway: "regions hold their scripts' events until it is back",
            executable: process.executable, configPath: process.configPath, logPath: process.logPath, output: output)
    }
}
