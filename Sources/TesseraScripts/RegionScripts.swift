import Foundation
import TesseraGridProtocol
import TesseraLSL
import TesseraWire
import TesseraWorld

/// What the engine knows of one scripted object: where it is and what its scripts set.
struct ScriptedObject {
    var pose: ObjectPose
    /// What scripts set (the region does not send colour, alpha or text): white, opaque, no text
    /// until a script sets them.
    var color = Vector3(1, 1, 1)
    var alpha: Float = 1
    var text = ""
    var physical = false
    /// `llDie` was called: its scripts run no more.
    var dying = false
    var scripts: [HostedScript] = []
}

/// The scripts of one region and the host (`LSLHost`) they call: frame application, the
/// round-robin scheduler, listens and chat, checkpoints and statistics.
final class RegionScripts: LSLHost {
    /// Seconds over which Top Scripts averages run time.
    static let loadSeconds = 5.0
    /// Names remembered for `llKey2Name` (speakers and detected avatars and objects).
    static let maxRememberedNames = 1024

    let handle: RegionHandle
    unowned let engine: ScriptEngine
    var name = ""
    var scripts: [ScriptKey: HostedScript] = [:]
    /// Round-robin order; `cursor` is the next to look at, kept across frames.
    var order: [HostedScript] = []
    var cursor = 0
    var objects: [UUID: ScriptedObject] = [:]
    var names: [String: String] = [:]
    var eventsDropped: UInt64 = 0
    var chatDropped: UInt64 = 0
    /// This frame's answer being built.
    var effects: [ScriptEffectRecord] = []
    var diagnostics: [ScriptDiagnostic] = []
    var captures: [ScriptCapture] = []
    /// Engine time of the frame being run, and its wall clock.
    var now: Double = 0
    var wallMillis: UInt64 = 0
    /// The script whose slice is running (host calls are about it).
    var current: HostedScript?
    private var topScripts: [ScriptTime] = []
    private var topComputedAt = -Double.infinity

    init(handle: RegionHandle, engine: ScriptEngine) {
        self.handle = handle
        self.engine = engine
    }

    var settings: ScriptEngineSettings { engine.settings }

    // MARK: - A frame

    func apply(_ frame: ScriptFrame, now frameNow: Double) -> ScriptResult {
        now = max(now, frameNow)
        wallMillis = frame.timeMillis
        effects = []
        diagnostics = []
        captures = []
        if let regionName = frame.regionName, !regionName.isEmpty { name = regionName }
        for pose in frame.poses { setPose(pose) }
        for instance in frame.added { add(instance) }
        for key in frame.removed { remove(key) }
        for control in frame.control { apply(control) }
        sweepSensors()
        for event in frame.events { deliver(event) }
        for heard in frame.chat { deliver(heard) }
        for key in frame.frozen {
            guard let script = scripts[key] else { continue }
            captures.append(ScriptCapture(key: key, state: capture(script), frozen: true))
            remove(key)
        }
        let runMicros = run()
        housekeeping()
        return ScriptResult(
            region: handle, frame: frame.frame, runMicros: UInt32(clamping: runMicros), effects: effects, captures: captures,
            diagnostics: diagnostics, stats: stats())
    }

    private func setPose(_ pose: ObjectPose) {
        guard pose.position.isFinite, pose.rotation.isFinite, pose.velocity.isFinite, pose.scale.isFinite else { return }
        if objects[pose.object] != nil {
            objects[pose.object]!.pose = pose
        } else {
            objects[pose.object] = ScriptedObject(pose: pose)
        }
    }

    // MARK: - Adding and removing

    private func add(_ instance: ScriptInstance) {
        if scripts[instance.key] != nil { remove(instance.key) }
        let script = HostedScript(instance: instance, chatBurst: settings.chatBurst)
        scripts[instance.key] = script
        order.append(script)
        if objects[instance.key.object] == nil {
            // No pose yet: the region sends one with the object's first scripts.
            objects[instance.key.object] = ScriptedObject(
                pose: ObjectPose(object: instance.key.object, local: instance.objectLocal, position: .zero, rotation: .identity, velocity: .zero, scale: Vector3(1, 1, 1)))
        }
        objects[instance.key.object]!.scripts.append(script)
        names[instance.key.object.lslKey] = instance.objectName
        // Checkpoints of scripts added together are spread over the interval.
        script.nextCheckpoint = now + settings.checkpointSeconds * Self.phase(of: instance.key)

        guard let entry = engine.program(for: instance.program) else {
            script.running = false
            diagnose(script, compile: false, ["\(instance.name): the service was not sent the source of program \(instance.program)"])
            return
        }
        let program: LSLProgram
        switch entry {
        case .failed(let errors):
            script.running = false
            diagnose(script, compile: true, errors.map { "\(instance.name):\($0.location.line):\($0.location.column): error: \($0.message)" })
            return
        case .program(let compiled):
            program = compiled
        }
        if let state = instance.state, !state.isEmpty {
            do {
                try restore(script, from: state, program: program)
                return
            } catch {
                diagnose(script, compile: false, ["\(instance.name): the saved state could not be restored (\(error)); the script starts fresh"])
            }
        }
        start(script, program: program)
    }

    /// A fresh copy: `state_entry` is queued by the VM; script time starts at 0.
    private func start(_ script: HostedScript, program: LSLProgram) {
        current = script
        script.vm = LSLScript(program: program, host: self, seed: Self.seed(of: script.key))
        current = nil
        script.base = now
        script.wakeAt = 0
        script.listens = [:]
        script.nextListenHandle = 1
        script.sensorRepeat = nil
        script.chatTokens = settings.chatBurst
        script.chatRefilled = 0
        script.chatWarned = -1
        script.reportedFailure = false
        script.dirty = true
        sendChannelsIfChanged(script)
    }

    private func restore(_ script: HostedScript, from bytes: [UInt8], program: LSLProgram) throws {
        let envelope = try ScriptEnvelope(decoding: bytes)
        let vm = try LSLScript(restoring: envelope.vm, program: program, host: self)
        script.vm = vm
        // Script time continues from where the capture left it.
        script.base = now - vm.now
        script.wakeAt = 0
        script.running = script.running && envelope.running
        script.instance.startParameter = envelope.startParameter
        script.listens = envelope.listens
        script.nextListenHandle = envelope.nextListenHandle
        script.sensorRepeat = envelope.sensorRepeat
        script.chatTokens = min(max(envelope.chatTokens, 0), settings.chatBurst)
        script.chatRefilled = envelope.chatRefilled
        script.chatWarned = envelope.chatWarned
        script.reportedFailure = vm.failure != nil
        sendChannelsIfChanged(script)
    }

    private func remove(_ key: ScriptKey) {
        guard let script = scripts.removeValue(forKey: key) else { return }
        if let index = order.firstIndex(where: { $0 === script }) {
            order.remove(at: index)
            if index < cursor { cursor -= 1 }
        }
        if var object = objects[key.object] {
            object.scripts.removeAll { $0 === script }
            objects[key.object] = object.scripts.isEmpty ? nil : object
        }
        script.vm = nil
    }

    private func apply(_ control: ScriptControl) {
        guard let script = scripts[control.key] else { return }
        switch control.action {
        case .stop:
            script.running = false
        case .start:
            script.running = script.vm != nil
            script.wakeAt = 0
        case .reset:
            guard let program = script.vm?.program else { return }
            let running = script.running
            start(script, program: program)
            script.running = running
        }
        script.dirty = true
    }

    /// The capture envelope of a script (empty when it has no VM copy: the next host starts it fresh).
    func capture(_ script: HostedScript) -> [UInt8] {
        guard let vm = script.vm else { return [] }
        // The VM's clock is the time it last ran; bring it to the script's time now (no
        // instruction runs), so the capture carries every second the script was hosted.
        if vm.failure == nil {
            current = script
            if case .yielded = vm.run(now: script.scriptTime(now), budget: 0) { script.wakeAt = 0 }
            current = nil
        }
        let envelope = ScriptEnvelope(
            running: script.running, startParameter: script.instance.startParameter, vm: vm.capture(),
            nextListenHandle: script.nextListenHandle, listens: script.listens, sensorRepeat: script.sensorRepeat,
            chatTokens: script.chatTokens, chatRefilled: script.chatRefilled, chatWarned: script.chatWarned)
        let bytes = envelope.encoded()
        guard bytes.count <= ContentItem.maxStateBytes else {
            diagnose(script, compile: false, ["\(script.instance.name): its state (\(bytes.count) bytes) is larger than \(ContentItem.maxStateBytes) bytes and cannot be saved; it will start fresh when moved or restarted"])
            return []
        }
        return bytes
    }

    // MARK: - Events and chat

    private func deliver(_ delivery: ScriptEventDelivery) {
        guard let object = objects[delivery.object], let definition = LSLDefinitions.events[delivery.name],
              definition.parameters.count == delivery.arguments.count else { return }
        var arguments: [LSLValue] = []
        for (value, parameter) in zip(delivery.arguments, definition.parameters) {
            guard let converted = value.lslValue(as: parameter.type) else { return }
            arguments.append(converted)
        }
        for info in delivery.detected { remember(info.key.lslKey, info.name) }
        let event = LSLEvent(delivery.name, arguments, detected: delivery.detected.prefix(LSLDetected.maxPerEvent).map(\.lslDetected))
        for script in object.scripts where delivery.item == nil || delivery.item == script.key.item {
            post(event, to: script)
        }
    }

    private func post(_ event: LSLEvent, to script: HostedScript) {
        guard script.running, let vm = script.vm, !(objects[script.key.object]?.dying ?? false) else { return }
        let dropped = vm.droppedEvents
        if vm.post(event) {
            script.wakeAt = 0
            script.eventArrived = true
        } else if vm.droppedEvents > dropped {
            eventsDropped += UInt64(vm.droppedEvents - dropped)
        }
    }

    private func deliver(_ chat: ChatHeard) {
        guard chat.type != .ownerSay else { return }
        let speakerKey = chat.speaker.lslKey
        remember(speakerKey, chat.speakerName)
        let range = chat.type.range
        let event = LSLEvent("listen", [.integer(chat.channel), .string(chat.speakerName), .key(speakerKey), .string(chat.text)])
        for script in order where !script.listens.isEmpty {
            // An object never hears itself.
            guard script.key.object != chat.speakerObject, let object = objects[script.key.object] else { continue }
            if chat.type != .regionSay, object.pose.position.distance(to: chat.position) > range { continue }
            guard script.listens.values.contains(where: { $0.hears(chat, speakerKey: speakerKey) }) else { continue }
            post(event, to: script)
        }
    }

    private func remember(_ key: String, _ name: String) {
        if names.count >= Self.maxRememberedNames, names[key] == nil { names.removeAll(keepingCapacity: true) }
        names[key] = name
    }

    // MARK: - Sensors

    /// Repeating sensors whose sweep is due send it now.
    private func sweepSensors() {
        for script in order where script.sensorRepeat != nil && script.running && script.vm != nil {
            let time = script.scriptTime(now)
            guard var sensor = script.sensorRepeat, time >= sensor.nextDue else { continue }
            effects.append(ScriptEffectRecord(
                key: script.key, effect: .sensor(name: sensor.name, key: sensor.key, kind: sensor.type, range: sensor.range, arc: sensor.arc)))
            // Keep the phase; after a long pause, the next sweep is one period away.
            sensor.nextDue += sensor.period
            if sensor.nextDue <= time { sensor.nextDue = time + sensor.period }
            script.sensorRepeat = sensor
            script.dirty = true
        }
    }

    // MARK: - Running

    /// Runs ready scripts round-robin, one slice each, until the budget is spent or none is
    /// ready; answers the microseconds used. The ready list is made once per frame (starting
    /// after the last script run in the previous frame), so scripts waiting for an event cost
    /// one comparison per frame and never a slice's worth of skipping.
    private func run() -> UInt64 {
        guard !order.isEmpty else { return 0 }
        if cursor >= order.count { cursor = 0 }
        // Scripts an event just reached (a touch, chat, a sensor's answer) go first, each for one
        // slice, so a region busy with timers still answers people within a frame or two; then
        // every ready script round-robin. A script with more work goes to the back either way.
        var ready: [Int] = []
        var rest: [Int] = []
        for offset in 0..<order.count {
            let index = (cursor + offset) % order.count
            let script = order[index]
            guard script.isRunnable(now), !(objects[script.key.object]?.dying ?? false) else { continue }
            if script.eventArrived { ready.append(index) } else { rest.append(index) }
            script.eventArrived = false
        }
        let prioritized = ready.count
        ready.append(contentsOf: rest)
        guard !ready.isEmpty else { return 0 }
        let clock = engine.clock
        let start = clock()
        var last = start
        var head = 0
        var lastRun = -1
        while head < ready.count, last &- start < settings.frameBudgetNanos {
            let index = ready[head]
            let roundRobin = head >= prioritized
            head += 1
            let script = order[index]
            // llDie in an earlier slice of this frame stops the object's other scripts.
            guard let vm = script.vm, !(objects[script.key.object]?.dying ?? false) else { continue }
            current = script
            let result = vm.run(now: script.scriptTime(now), budget: settings.sliceInstructions)
            current = nil
            let after = clock()
            script.charge(micros: Double(after &- last) / 1000, now: now)
            last = after
            // The round-robin position moves only with the scripts run in their turn.
            if roundRobin { lastRun = index }
            script.dirty = true
            switch result {
            case .yielded:
                script.wakeAt = 0
                ready.append(index)
            case .waiting(let until):
                script.wakeAt = until.map { $0 + script.base } ?? .infinity
            case .failed(let error):
                script.wakeAt = .infinity
                if !script.reportedFailure, !(objects[script.key.object]?.dying ?? false) {
                    script.reportedFailure = true
                    diagnose(script, compile: false, ["\(script.instance.name): Script run-time error: \(error.message)"])
                }
            }
        }
        if lastRun >= 0 { cursor = lastRun + 1 }
        return (last &- start) / 1000
    }

    /// Checkpoints that are due.
    private func housekeeping() {
        let interval = settings.checkpointSeconds
        for script in order where script.nextCheckpoint <= now {
            if script.dirty, script.vm != nil {
                let state = capture(script)
                if !state.isEmpty { captures.append(ScriptCapture(key: script.key, state: state, frozen: false)) }
                script.dirty = false
            }
            script.nextCheckpoint += interval
            if script.nextCheckpoint <= now {
                // Long gap: keep the phase within the interval.
                let behind = now - script.nextCheckpoint
                script.nextCheckpoint += (behind / interval).rounded(.down) * interval + interval
            }
        }
    }

    private func stats() -> ScriptRegionStats {
        var running: UInt32 = 0
        var queued = 0
        for script in order {
            guard let vm = script.vm else { continue }
            if script.running, vm.failure == nil { running += 1 }
            queued += vm.queuedEvents
        }
        if now - topComputedAt >= 1 {
            topComputedAt = now
            let ranked = order.map { ($0, $0.recentMicrosPerSecond(now)) }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
            topScripts = ranked.prefix(ScriptRegionStats.maxTop).map { entry in
                ScriptTime(key: entry.0.key, name: entry.0.instance.name, objectName: entry.0.instance.objectName, micros: Float(entry.1))
            }
        }
        return ScriptRegionStats(
            scripts: UInt32(clamping: scripts.count), running: running, eventsQueued: UInt32(clamping: queued),
            eventsDropped: eventsDropped, chatDropped: chatDropped, topScripts: topScripts)
    }

    // MARK: - Effects and diagnostics

    func emit(_ effect: ScriptEffect, by script: HostedScript) {
        effects.append(ScriptEffectRecord(key: script.key, effect: effect))
    }

    func diagnose(_ script: HostedScript, compile: Bool, _ lines: [String]) {
        let kept = lines.prefix(ScriptDiagnostic.maxLines).map { $0.wireText(maxBytes: 1024) }
        diagnostics.append(ScriptDiagnostic(key: script.key, owner: script.instance.owner, compile: compile, lines: Array(kept)))
    }

    func sendChannelsIfChanged(_ script: HostedScript) {
        let channels = script.channels
        guard channels != script.sentChannels else { return }
        script.sentChannels = channels
        emit(.listenChannels(channels), by: script)
    }

    // MARK: - LSLHost

    func call(_ function: LSLFunctionDefinition, _ arguments: [LSLValue], script vm: LSLScript) throws(LSLRuntimeError) -> LSLValue {
        guard let script = current else { throw LSLRuntimeError(.hostError, "\(function.name) called outside a slice") }
        return try WorldFunctions(region: self, script: script, vm: vm).call(function, HostArguments(arguments))
    }

    func print(_ text: String, script: LSLScript) {}

    func stateChanged(to state: String, script vm: LSLScript) {
        guard let script = current else { return }
        // A change of state ends listens and a repeating sensor, as in SL.
        script.listens = [:]
        script.sensorRepeat = nil
        sendChannelsIfChanged(script)
    }

    func reset(script vm: LSLScript) {
        guard let script = current else { return }
        script.listens = [:]
        script.nextListenHandle = 1
        script.sensorRepeat = nil
        sendChannelsIfChanged(script)
    }

    // MARK: - Helpers

    /// A number in [0, 1) from a script's key (spreads checkpoints; stable across restarts).
    static func phase(of key: ScriptKey) -> Double {
        Double(seed(of: key) >> 11) / Double(1 << 53)
    }

    static func seed(of key: ScriptKey) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(key.object.uuidString.utf8) + Array(key.item.uuidString.utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}

extension UUID {
    /// The key as LSL writes it: lowercase with dashes.
    var lslKey: String { uuidString.lowercased() }
}

extension String {
    /// Storable on the wire and in PostgreSQL: no NUL, at most `maxBytes` of UTF-8, cut at a
    /// character boundary.
    func wireText(maxBytes: Int) -> String {
        let text = utf8.contains(0) ? String(String.UnicodeScalarView(unicodeScalars.filter { $0 != "\u{0}" })) : self
        guard text.utf8.count > maxBytes else { return text }
        var kept = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > maxBytes { break }
            kept.append(character)
            bytes += size
        }
        return kept
    }
}
