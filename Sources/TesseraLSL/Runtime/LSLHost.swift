/// An event delivered to a script: a handler name of `lsl_definitions.yaml` and its arguments,
/// already of the handler's parameter types.
public struct LSLEvent: Sendable, Hashable {
    public var name: String {
        didSet { id = LSLEventIDs.id(of: name) }
    }
    public var arguments: [LSLValue]
    /// What `llDetected*` answer while the event runs (touches, collisions, sensors); opaque
    /// to the VM, which carries it through the queue and the captured state.
    public var detected: [LSLDetected]
    /// The event's index among the definitions' events (-1 for an unknown name), found once
    /// when the event is made so that queueing and dispatch never hash the name.
    private(set) var id: Int32

    public init(_ name: String, _ arguments: [LSLValue] = [], detected: [LSLDetected] = []) {
        self.name = name
        self.arguments = arguments
        self.detected = detected
        id = LSLEventIDs.id(of: name)
    }

    init(id: Int32, _ arguments: [LSLValue] = []) {
        name = LSLEventIDs.names[Int(id)]
        self.arguments = arguments
        detected = []
        self.id = id
    }

    public static func == (a: LSLEvent, b: LSLEvent) -> Bool {
        a.name == b.name && a.arguments == b.arguments && a.detected == b.detected
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(arguments)
        hasher.combine(detected)
    }
}

/// One detected avatar or object of an event, as `llDetectedName`, `llDetectedKey`, … answer.
public struct LSLDetected: Sendable, Hashable {
    /// Most detected records one event carries (SL's sensors report at most 16, touches too).
    public static let maxPerEvent = 16

    public var key: String
    public var name: String
    public var owner: String
    /// `AGENT`, `ACTIVE`, `PASSIVE`, `SCRIPTED` bits.
    public var type: Int32
    public var position: LSLVector
    public var rotation: LSLRotation
    public var velocity: LSLVector
    /// The face touched; -1 when not a touch.
    public var touchFace: Int32

    public init(
        key: String, name: String, owner: String, type: Int32, position: LSLVector, rotation: LSLRotation = .identity,
        velocity: LSLVector = .zero, touchFace: Int32 = -1
    ) {
        self.key = key
        self.name = name
        self.owner = owner
        self.type = type
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
        self.touchFace = touchFace
    }
}

/// Every event name of the definitions, with a number each.
enum LSLEventIDs {
    static let names: [String] = LSLDefinitions.events.keys.sorted()
    static let ids: [String: Int32] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
    static let stateEntry = id(of: "state_entry")
    static let stateExit = id(of: "state_exit")
    static let timer = id(of: "timer")

    static func id(of name: String) -> Int32 { ids[name] ?? -1 }
}

/// What a running script asks of the world it lives in (docs/lsl.md, "Host interface"). The
/// script service implements it for scripts in prims; `tessera lsl run` implements it with a
/// pretend object (`LSLConsoleHost`). Calls arrive on the thread that runs the script, one at a time.
public protocol LSLHost: AnyObject {
    /// A built-in that touches the world (`llSay`, `llSetPos`, `llListen`, …). Arguments are of
    /// the definition's parameter types; the answer must be of its return type (anything for a
    /// void function). A thrown error stops the script with that run-time error. The function's
    /// forced delay (`sleep` in the definitions) is applied by the VM after the call returns.
    func call(_ function: LSLFunctionDefinition, _ arguments: [LSLValue], script: LSLScript) throws(LSLRuntimeError) -> LSLValue
    /// `print(value)`: the text of the value.
    func print(_ text: String, script: LSLScript)
    /// The script entered `state` (after `state_exit`, before `state_entry`): listens end.
    func stateChanged(to state: String, script: LSLScript)
    /// `llResetScript`: everything the host keeps for the script (listens, sensors) ends.
    func reset(script: LSLScript)
}

/// What `LSLScript.run` did.
public enum LSLRunResult: Sendable, Hashable {
    /// The instruction budget ran out in the middle of work: call `run` again.
    case yielded
    /// Nothing to do before script time `until` (a timer or the end of a sleep), or before an
    /// event is posted when `until` is nil.
    case waiting(until: Double?)
    /// The script stopped with a run-time error; it runs no more.
    case failed(LSLRuntimeError)
}
