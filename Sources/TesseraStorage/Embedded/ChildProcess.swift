import Foundation

/// Starts programs with posix_spawn: standard input from /dev/null, output to a file, a clean
/// signal mask, and none of this process's other file descriptors. Without the last, a child
/// (a PostgreSQL server, a region node in a test) keeps copies of every socket open at the
/// moment it starts, and a connection this process closes stays open at the TCP level until the
/// child exits: the peer never learns it was closed.
public enum ChildProcess {
    public struct SpawnError: Error, CustomStringConvertible {
        public var executable: String
        public var reason: String
        public var description: String { "cannot start \(executable): \(reason)" }
    }

    /// Starts `executable` with `arguments`, its output (both streams) going to `outputPath`.
    public static func spawn(_ executable: String, _ arguments: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc ignores a close action whose descriptor was closed meanwhile.
        for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The child must not inherit this thread's blocked signals or ignored dispositions
        // (pgbench ends its timed run on a timer signal).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw SpawnError(executable: executable, reason: String(cString: strerror(spawned))) }
        return pid
    }

    /// Waits for the child and returns whether it exited with status 0.
    public static func wait(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS, spelled out: the C macros are not imported.
        return status & 0x7F == 0 && (status >> 8) & 0xFF == 0
    }

    /// Whether the child has ended, without waiting: nil while it runs, else its wait status
    /// (reaped).
    public static func poll(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, WNOHANG) } while result == -1 && errno == EINTR
        return result == pid ? status : (result == -1 ? -1 : nil)
    }

    /// Asks the child to stop (SIGTERM), and kills it (SIGKILL) if it has not within `grace`.
    public static func stop(_ pid: pid_t, grace: Duration = .seconds(3)) async {
        _ = kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if poll(pid) != nil { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        _ = kill(pid, SIGKILL)
        _ = wait(pid)
    }

    /// This process's open file descriptors, from /proc/self/fd.
    static func openDescriptors() -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        return names.compactMap { Int32($0) }
    }
}

/// How a child process of `tessera up` (the physics service, the database guard) learns that
/// its parent has gone: it polls its parent's pid. When the parent ends in any way (a crash
/// included) the child is handed to another process, `getppid()` changes, and the child ends
/// too, so no child outlives the grid that started it. Polling, not `PR_SET_PDEATHSIG`:
/// Linux sends that signal when the spawning *thread* ends, and the threads of Swift's
/// concurrency pool come and go.
public enum ParentWatch {
    /// Calls `gone` once, from a background task, after the process `parent` stops being this
    /// process's parent (or at once when it is not its parent now).
    public static func start(parent: pid_t, every interval: Duration = .milliseconds(250), gone: @escaping @Sendable () -> Void) {
        Task.detached {
            while getppid() == parent {
                try? await Task.sleep(for: interval)
            }
            gone()
        }
    }

    /// Waits, blocking, until the process `parent` stops being this process's parent.
    public static func waitUntilGone(parent: pid_t, every interval: Duration = .milliseconds(250)) {
        let micros = useconds_t(clamping: interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        while getppid() == parent { usleep(micros) }
    }
}
