/// One running copy of a compiled script: its globals, current state, event queue, timer, and the
/// event in progress. Run it in slices with `run(now:budget:)`; capture it at any point between
/// two slices with `capture()` and resume it anywhere with `LSLScript(restoring:program:host:)`.
/// Not thread-safe: one thread runs a script at a time (docs/lsl.md, "Running scripts").
///
/// A new script queues `state_entry` of `default` itself (when the state has that handler), as
/// SL does when a script starts or resets; hosts post every other event.
public final class LSLScript {
    public let program: LSLProgram
    public unowned(unsafe) var host: LSLHost
    private var machine: Machine
    /// Events posted while the script runs (by the host, from inside a call), queued after it.
    private var incoming: [LSLEvent] = []
    private var incomingDropped = 0
    /// While the machine runs: its state and the room left in its queue (set before each call
    /// into the host).
    private var runningState: Int32 = 0
    private var queueRoom = 0
    private var isRunning = false
    /// The stand-in that takes the machine's place while it runs (kept to save allocations).
    private var spare: Machine?

    public init(program: LSLProgram, host: LSLHost, seed: UInt64 = 0) {
        self.program = program
        self.host = host
        machine = Machine(seed: seed)
        isRunning = true
        machine.reset(program, script: self)
        isRunning = false
        drainIncoming()
    }

    /// Queues an event; false when the current state has no handler for it, when the script has
    /// stopped with an error, or when the queue already holds 64 events (then it is dropped and
    /// counted in `droppedEvents`).
    @discardableResult
    public func post(_ event: LSLEvent) -> Bool {
        guard !isRunning else {
            // The machine is running (the host posts from inside a call): the event waits
            // here and joins the queue when the call returns, with the same answers as a post
            // between slices.
            guard program.handler(state: runningState, event: event.id) != nil else { return false }
            guard incoming.count < queueRoom else {
                incomingDropped += 1
                return false
            }
            incoming.append(event)
            return true
        }
        return machine.enqueue(event, program)
    }

    /// Runs at most `budget` instructions at script time `now` (seconds; a smaller `now` than a
    /// previous one counts as the previous one).
    public func run(now: Double, budget: Int) -> LSLRunResult {
        // The machine leaves `self` while it runs, so a host that touches the script from
        // inside a call (posting an event, reading a property) touches a stand-in, never the
        // machine being run.
        var running = spare.take() ?? Machine(seed: 0)
        swap(&running, &machine)
        isRunning = true
        let result = running.run(now: now, budget: budget, program, script: self)
        isRunning = false
        swap(&running, &machine)
        spare = running
        drainIncoming()
        // An event posted during the slice may be waiting already.
        if case .waiting = result, machine.current == nil, !machine.queue.isEmpty, machine.failure == nil {
            return .yielded
        }
        return result
    }

    private func drainIncoming() {
        guard hasIncoming else { return }
        machine.pullIncoming(program, script: self)
    }

    /// Events dropped because the queue was full.
    public var droppedEvents: Int { machine.droppedEvents }
    /// Events waiting in the queue.
    public var queuedEvents: Int { machine.queue.count }
    /// The current state's name.
    public var stateName: String { program.states[Int(machine.state)].name }
    /// Memory the script uses now, as `llGetUsedMemory` reports it.
    public var usedMemory: Int { machine.used }
    /// The error that stopped the script, if one did.
    public var failure: LSLRuntimeError? { machine.failure }
    /// Whether an event handler is in progress (suspended between slices or sleeping).
    public var isInEvent: Bool { machine.current != nil }
    /// Script time the script was last run at.
    public var now: Double { machine.now }
    /// The detected records (`llDetected*`) of the event in progress; readable from inside a
    /// host call. Empty for events that detect nothing.
    public internal(set) var currentDetected: [LSLDetected] = []

    /// Events the host posted during the slice, for the machine to queue.
    func takeIncoming() -> (events: [LSLEvent], dropped: Int) {
        let events = incoming
        let dropped = incomingDropped
        incoming.removeAll(keepingCapacity: true)
        incomingDropped = 0
        return (events, dropped)
    }

    func beginHostCall(state: Int32, queued: Int) {
        runningState = state
        queueRoom = max(0, Machine.queueLimit - queued)
    }

    var hasIncoming: Bool { !incoming.isEmpty || incomingDropped > 0 }

    func callHost(_ definition: LSLFunctionDefinition, _ arguments: [LSLValue]) throws(LSLRuntimeError) -> LSLValue {
        let result = try host.call(definition, arguments, script: self)
        guard let type = definition.returnType else { return .integer(0) }
        if result.type == type { return result }
        // A host answering with the wrong type does not break the VM's typed registers.
        switch (result, type) {
        case (.integer(let n), .float): return .float(Float(n))
        case (.string(let s), .key): return .key(s)
        case (.key(let s), .string): return .string(s)
        default: return .zero(of: type)
        }
    }

    func printFromScript(_ text: String) {
        host.print(text, script: self)
    }

    func hostStateChanged(_ state: Int32) {
        host.stateChanged(to: program.states[Int(state)].name, script: self)
    }

    func hostReset() {
        host.reset(script: self)
    }

    // MARK: - Capture

    /// The whole state of the script as bytes (docs/lsl.md, "Captured state").
    public func capture() -> [UInt8] {
        var writer = CaptureWriter()
        machine.write(to: &writer, program)
        writer.putU32(UInt32(incoming.count))
        for event in incoming { writer.put(event) }
        return writer.bytes
    }

    /// A script resumed from `capture()`'s bytes, exactly where it stopped. The bytes must come
    /// from a copy of the same program; anything else is refused with what was wrong.
    public init(restoring bytes: [UInt8], program: LSLProgram, host: LSLHost) throws(LSLCaptureError) {
        self.program = program
        self.host = host
        var reader = CaptureReader(bytes)
        machine = try Machine.read(from: &reader, program)
        currentDetected = machine.detected
        let count = try reader.u32(max: UInt32(Machine.queueLimit), "incoming events")
        for _ in 0..<count { incoming.append(try reader.event(program)) }
        guard reader.isAtEnd else { throw LSLCaptureError("\(reader.remaining) bytes after the captured state") }
        drainIncoming()
    }
}

/// Bytes that are no captured state of this program.
public struct LSLCaptureError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Machine {
    mutating func enqueue(_ event: LSLEvent, _ program: LSLProgram) -> Bool {
        guard failure == nil, program.handler(state: state, event: event.id) != nil else { return false }
        guard queue.count < Self.queueLimit else {
            droppedEvents += 1
            return false
        }
        queue.append(event)
        return true
    }

    mutating func run(now: Double, budget: Int, _ program: LSLProgram, script: LSLScript) -> LSLRunResult {
        if let failure { return .failed(failure) }
        if now > self.now { self.now = now }
        var budget = budget
        while true {
            if sleepUntil >= 0 {
                if self.now < sleepUntil { return .waiting(until: sleepUntil) }
                sleepUntil = -1
            }
            if current == nil {
                if nextTimer >= 0 && self.now >= nextTimer {
                    if !queue.contains(where: { $0.id == LSLEventIDs.timer }) { _ = enqueue(LSLEvent(id: LSLEventIDs.timer), program) }
                    nextTimer = timerInterval > 0 ? self.now + timerInterval : -1
                }
                pullIncoming(program, script: script)
                guard !queue.isEmpty else { return .waiting(until: nextTimer >= 0 ? nextTimer : nil) }
                if budget <= 0 { return .yielded }
                let event = queue.removeFirst()
                guard let handler = program.handler(state: state, event: event.id) else { continue }
                detected = event.detected
                script.currentDetected = event.detected
                start(function: handler, arguments: event.arguments, program)
                if used > memoryLimit { return fail(.stackHeapCollision) }
            }
            if budget <= 0 { return .yielded }
            switch execute(&budget, program, script: script) {
            case .budget:
                return .yielded
            case .eventDone:
                if inStateExit { finishStateChange(program, script: script) }
            case .stateChange(let target):
                if inStateExit {
                    // A `state` statement inside state_exit only ends it.
                    finishStateChange(program, script: script)
                } else if target != state {
                    pendingState = target
                    if let exit = program.handler(state: state, event: LSLEventIDs.stateExit) {
                        inStateExit = true
                        start(function: exit, arguments: [], program)
                    } else {
                        finishStateChange(program, script: script)
                    }
                }
            case .sleep(let seconds):
                sleepUntil = self.now + seconds
                return .waiting(until: sleepUntil)
            case .failed(let error):
                return fail(error)
            case .reset:
                script.beginHostCall(state: state, queued: Self.queueLimit)
                script.hostReset()
                let seed = random
                let limit = self.now
                reset(program, script: script)
                random = seed
                self.now = limit
            }
        }
    }

    private mutating func fail(_ error: LSLRuntimeError) -> LSLRunResult {
        failure = error
        return .failed(error)
    }

    /// After `state_exit` (or straight away without one): the queue is cleared, the host drops
    /// listens, the new state begins with `state_entry`. The timer carries on.
    private mutating func finishStateChange(_ program: LSLProgram, script: LSLScript) {
        inStateExit = false
        let target = pendingState
        pendingState = -1
        queue.removeAll(keepingCapacity: true)
        state = target
        script.beginHostCall(state: state, queued: queue.count)
        script.hostStateChanged(target)
        pullIncoming(program, script: script)
        if program.handler(state: target, event: LSLEventIDs.stateEntry) != nil {
            queue.append(LSLEvent(id: LSLEventIDs.stateEntry))
        }
    }
}
