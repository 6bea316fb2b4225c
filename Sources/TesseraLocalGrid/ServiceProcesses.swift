import Foundation

/// How `tessera up` runs an offloaded service as its child process (`ServiceSupervisor`).
public struct ServiceProcess: Sendable {
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

/// `tessera physics` as a child: a crash or a heavy scene there costs the regions nothing but
/// physics (they move kinematically until it is back, then resume from a snapshot; docs/physics.md).
public typealias PhysicsProcess = ServiceProcess

/// `tessera scripts` as a child: a crash costs the regions their scripts' time only (they hold
/// the scripts' events until it is back, and it resumes every script from its last checkpoint;
/// docs/scripts.md).
public typealias ScriptsProcess = ServiceProcess
