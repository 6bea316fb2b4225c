/// One running copy of a compiled script: its globals, current state, event queue, timer, and the
/// event in progress. Run it in slices with `run(now:budget:)`; capture it at any point between
/// two slices with `capture()` and resume it anywhere with `LSLScript(restoring:program:host:)`.
/// Not thread-safe: one thread runs a script at a time (docs/lsl.md, "Running scripts").
public final class LSLScript {
    public let program: LSLProgram
    public unowned(unsafe) var host: LSLHost

    public init(program: LSLProgram, host: LSLHost, seed: UInt64 = 0) {
        self.program = program
        self.host = host
        fatalError("the VM is not built yet")
    }

    /// Queues an event; false when the queue already holds 64 (the event is dropped and counted)
    /// or the script has no handler for it in its current state.
    @discardableResult
    public func post(_ event: LSLEvent) -> Bool { fatalError("the VM is not built yet") }

    /// Runs at most `budget` instructions at script time `now` (seconds, never decreasing).
    public func run(now: Double, budget: Int) -> LSLRunResult { fatalError("the VM is not built yet") }

    /// Events dropped because the queue was full.
    public var droppedEvents: Int { 0 }

    /// The whole state of the script as bytes.
    public func capture() -> [UInt8] { [] }

    /// A script resumed from `capture()`'s bytes, exactly where it stopped.
    public init(restoring bytes: [UInt8], program: LSLProgram, host: LSLHost) throws(LSLCaptureError) {
        self.program = program
        self.host = host
        fatalError("the VM is not built yet")
    }
}

/// Bytes that are no captured state of this program.
public struct LSLCaptureError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
