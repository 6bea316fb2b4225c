/// The byte form of a script's state (docs/lsl.md, "Captured state"): little-endian integers,
/// floats as their bit patterns, text as UTF-8 with a length.
struct CaptureWriter {
    var bytes: [UInt8] = []

    mutating func putU8(_ v: UInt8) { bytes.append(v) }
    mutating func putU32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func putU64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func putI32(_ v: Int32) { putU32(UInt32(bitPattern: v)) }
    mutating func putF32(_ v: Float) { putU32(v.bitPattern) }
    mutating func putF64(_ v: Double) { putU64(v.bitPattern) }

    mutating func putText(_ text: String) {
        putU32(UInt32(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    mutating func put(_ value: LSLValue) {
        switch value {
        case .integer(let n): putU8(0); putI32(n)
        case .float(let f): putU8(1); putF32(f)
        case .string(let s): putU8(2); putText(s)
        case .key(let s): putU8(3); putText(s)
        case .vector(let v): putU8(4); putF32(v.x); putF32(v.y); putF32(v.z)
        case .rotation(let r): putU8(5); putF32(r.x); putF32(r.y); putF32(r.z); putF32(r.s)
        case .list(let elements):
            putU8(6)
            putU32(UInt32(elements.count))
            elements.forEach { put($0) }
        }
    }

    mutating func put(_ event: LSLEvent) {
        putText(event.name)
        putU32(UInt32(event.arguments.count))
        event.arguments.forEach { put($0) }
        put(event.detected)
    }

    mutating func put(_ detected: [LSLDetected]) {
        putU32(UInt32(detected.count))
        for record in detected {
            putText(record.key); putText(record.name); putText(record.owner); putI32(record.type)
            putF32(record.position.x); putF32(record.position.y); putF32(record.position.z)
            putF32(record.rotation.x); putF32(record.rotation.y); putF32(record.rotation.z); putF32(record.rotation.s)
            putF32(record.velocity.x); putF32(record.velocity.y); putF32(record.velocity.z)
            putI32(record.touchFace)
        }
    }

    mutating func put(_ frame: Frame) {
        putI32(frame.function); putI32(frame.pc); putI32(frame.intBase); putI32(frame.floatBase); putI32(frame.valueBase)
    }
}

struct CaptureReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    /// Text and lists may not claim more than the bytes that are left (or the script's memory).
    static let maxText = 1 << 20

    private mutating func take(_ n: Int, _ what: String) throws(LSLCaptureError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - offset else { throw LSLCaptureError("the captured state ends inside \(what)") }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u8(_ what: String) throws(LSLCaptureError) -> UInt8 { try take(1, what).first! }

    mutating func u32(_ what: String) throws(LSLCaptureError) -> UInt32 {
        var v: UInt32 = 0
        for (i, byte) in try take(4, what).enumerated() { v |= UInt32(byte) << (8 * UInt32(i)) }
        return v
    }

    mutating func u32(max: UInt32, _ what: String) throws(LSLCaptureError) -> UInt32 {
        let v = try u32(what)
        guard v <= max else { throw LSLCaptureError("\(what): \(v) is more than \(max)") }
        return v
    }

    mutating func u64(_ what: String) throws(LSLCaptureError) -> UInt64 {
        var v: UInt64 = 0
        for (i, byte) in try take(8, what).enumerated() { v |= UInt64(byte) << (8 * UInt64(i)) }
        return v
    }

    mutating func i32(_ what: String) throws(LSLCaptureError) -> Int32 { Int32(bitPattern: try u32(what)) }
    mutating func f32(_ what: String) throws(LSLCaptureError) -> Float { Float(bitPattern: try u32(what)) }

    mutating func f64(_ what: String) throws(LSLCaptureError) -> Double {
        let v = Double(bitPattern: try u64(what))
        guard v.isFinite else { throw LSLCaptureError("\(what) is not a finite number") }
        return v
    }

    mutating func text(_ what: String) throws(LSLCaptureError) -> String {
        let count = Int(try u32(max: UInt32(Self.maxText), what))
        let slice = try take(count, what)
        guard let text = String(validating: slice, as: UTF8.self) else { throw LSLCaptureError("\(what) is not UTF-8") }
        return text
    }

    mutating func value(_ what: String, inList: Bool = false) throws(LSLCaptureError) -> LSLValue {
        switch try u8(what) {
        case 0: return .integer(try i32(what))
        case 1: return .float(try f32(what))
        case 2: return .string(try text(what))
        case 3: return .key(try text(what))
        case 4: return .vector(LSLVector(try f32(what), try f32(what), try f32(what)))
        case 5: return .rotation(LSLRotation(try f32(what), try f32(what), try f32(what), try f32(what)))
        case 6 where !inList:
            // Every element takes at least 5 bytes, so the count cannot claim more than is left.
            let count = Int(try u32(max: UInt32(remaining / 5), what))
            var elements: [LSLValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try value(what, inList: true)) }
            return .list(elements)
        case let tag: throw LSLCaptureError("\(what): unknown value tag \(tag)")
        }
    }

    mutating func event(_ program: LSLProgram) throws(LSLCaptureError) -> LSLEvent {
        let name = try text("an event name")
        guard let definition = LSLDefinitions.events[name] else { throw LSLCaptureError("'\(name)' is no event") }
        let count = Int(try u32(max: 64, "event arguments"))
        guard count == definition.parameters.count else {
            throw LSLCaptureError("'\(name)' takes \(definition.parameters.count) arguments, the captured event has \(count)")
        }
        var arguments: [LSLValue] = []
        for parameter in definition.parameters {
            let argument = try value("an argument of '\(name)'")
            guard argument.type == parameter.type || (argument.type == .integer && parameter.type == .float) else {
                throw LSLCaptureError("an argument of '\(name)' is \(argument.type), not \(parameter.type)")
            }
            arguments.append(argument)
        }
        return LSLEvent(name, arguments, detected: try detected("the detected records of '\(name)'"))
    }

    /// A count (at most `LSLDetected.maxPerEvent`) and the records.
    mutating func detected(_ what: String) throws(LSLCaptureError) -> [LSLDetected] {
        let count = Int(try u32(max: UInt32(LSLDetected.maxPerEvent), what))
        var records: [LSLDetected] = []
        for _ in 0..<count {
            let key = try text(what), name = try text(what), owner = try text(what), type = try i32(what)
            let position = LSLVector(try f32(what), try f32(what), try f32(what))
            let rotation = LSLRotation(try f32(what), try f32(what), try f32(what), try f32(what))
            let velocity = LSLVector(try f32(what), try f32(what), try f32(what))
            records.append(LSLDetected(
                key: key, name: name, owner: owner, type: type, position: position, rotation: rotation, velocity: velocity,
                touchFace: try i32(what)))
        }
        return records
    }
}

extension Machine {
    static let magic: UInt32 = 0x534C_534C  // "LSLS"
    /// 2: events carry their detected records, and the machine those of the event in progress.
    static let version: UInt32 = 2

    func write(to w: inout CaptureWriter, _ program: LSLProgram) {
        w.putU32(Self.magic)
        w.putU32(Self.version)
        w.putU64(program.fingerprint)
        w.putU32(UInt32(globalInts.count)); globalInts.forEach { w.putI32($0) }
        w.putU32(UInt32(globalFloats.count)); globalFloats.forEach { w.putF32($0) }
        w.putU32(UInt32(globalValues.count)); globalValues.forEach { w.put($0) }
        let ints = intRegisters.elements, floats = floatRegisters.elements
        w.putU32(UInt32(ints.count)); ints.forEach { w.putI32($0) }
        w.putU32(UInt32(floats.count)); floats.forEach { w.putF32($0) }
        w.putU32(UInt32(values.count)); values.forEach { w.put($0) }
        w.putU32(UInt32(frames.count)); frames.forEach { w.put($0) }
        w.putU8(current == nil ? 0 : 1)
        if let current { w.put(current) }
        w.put(detected)
        w.putI32(returnInt); w.putF32(returnFloat); w.put(returnValue)
        w.putI32(state)
        w.putU32(UInt32(queue.count)); queue.forEach { w.put($0) }
        w.putU64(UInt64(droppedEvents))
        w.putI32(pendingState)
        w.putU8(inStateExit ? 1 : 0)
        w.putF64(timerInterval); w.putF64(nextTimer); w.putF64(sleepUntil); w.putF64(timeBase); w.putF64(now)
        w.putU64(random.state)
        w.putU32(UInt32(memoryLimit))
        w.putU32(UInt32(peakUsed))
        w.putU8(failure == nil ? 0 : 1)
        if let failure {
            w.putText(failure.kind.rawValue)
            w.putText(failure.message)
        }
    }

    static func read(from r: inout CaptureReader, _ program: LSLProgram) throws(LSLCaptureError) -> Machine {
        guard try r.u32("the header") == magic else { throw LSLCaptureError("not a captured script state") }
        let version = try r.u32("the header")
        guard version == Self.version else { throw LSLCaptureError("captured state version \(version); this VM reads \(Self.version)") }
        guard try r.u64("the program fingerprint") == program.fingerprint else {
            throw LSLCaptureError("the captured state belongs to another script")
        }
        var m = Machine(seed: 0)
        m.globalInts = try (0..<Int(r.u32(max: UInt32(program.globalIntCount), "integer globals"))).map { _ throws(LSLCaptureError) in try r.i32("a global") }
        m.globalFloats = try (0..<Int(r.u32(max: UInt32(program.globalFloatCount), "float globals"))).map { _ throws(LSLCaptureError) in try r.f32("a global") }
        m.globalValues = try (0..<Int(r.u32(max: UInt32(program.globalValueCount), "value globals"))).map { _ throws(LSLCaptureError) in try r.value("a global") }
        guard m.globalInts.count == program.globalIntCount, m.globalFloats.count == program.globalFloatCount,
              m.globalValues.count == program.globalValueCount else {
            throw LSLCaptureError("the captured state has other globals than the script")
        }
        var v = 0
        for type in program.globalTypes where type.kind == .value {
            guard m.globalValues[v].type == type else { throw LSLCaptureError("global value \(v) is not \(type)") }
            v += 1
        }
        let registerLimit = UInt32(LSLMemory.limit)
        m.intRegisters.elements = try (0..<Int(r.u32(max: registerLimit, "integer registers"))).map { _ throws(LSLCaptureError) in try r.i32("a register") }
        m.floatRegisters.elements = try (0..<Int(r.u32(max: registerLimit, "float registers"))).map { _ throws(LSLCaptureError) in try r.f32("a register") }
        m.values = try (0..<Int(r.u32(max: registerLimit, "value registers"))).map { _ throws(LSLCaptureError) in try r.value("a register") }
        let frameCount = Int(try r.u32(max: registerLimit, "frames"))
        m.frames = try (0..<frameCount).map { _ throws(LSLCaptureError) in try readFrame(&r, program, m) }
        m.current = try r.u8("the running frame") == 0 ? nil : try readFrame(&r, program, m)
        guard m.current != nil || m.frames.isEmpty else { throw LSLCaptureError("callers without a running function") }
        m.detected = try r.detected("the detected records of the running event")
        m.returnInt = try r.i32("a returned value")
        m.returnFloat = try r.f32("a returned value")
        m.returnValue = try r.value("a returned value")
        m.state = try r.i32("the state")
        guard m.state >= 0, Int(m.state) < program.states.count else { throw LSLCaptureError("state \(m.state) does not exist") }
        let queued = Int(try r.u32(max: UInt32(queueLimit), "queued events"))
        m.queue = try (0..<queued).map { _ throws(LSLCaptureError) in try r.event(program) }
        m.droppedEvents = Int(clamping: try r.u64("the dropped count"))
        m.pendingState = try r.i32("the pending state")
        guard m.pendingState == -1 || (m.pendingState >= 0 && Int(m.pendingState) < program.states.count) else {
            throw LSLCaptureError("pending state \(m.pendingState) does not exist")
        }
        m.inStateExit = try r.u8("the state flag") != 0
        m.timerInterval = try r.f64("the timer")
        m.nextTimer = try r.f64("the timer")
        m.sleepUntil = try r.f64("the sleep")
        m.timeBase = try r.f64("the clock")
        m.now = try r.f64("the clock")
        m.random = LSLRandom(seed: try r.u64("the random state"))
        m.memoryLimit = Int(try r.u32(max: UInt32(LSLMemory.limit), "the memory limit"))
        m.peakUsed = Int(try r.u32("the peak memory"))
        if try r.u8("the failure flag") != 0 {
            let kind = try r.text("the failure")
            m.failure = LSLRuntimeError(LSLRuntimeError.Kind(rawValue: kind) ?? .libraryError, try r.text("the failure"))
        }
        // Memory is recounted from what is there, never taken from the bytes.
        m.globalSizes = m.globalValues.map { Int32(LSLMemory.size(of: $0)) }
        m.valueSizes = m.values.map { Int32(LSLMemory.size(of: $0)) }
        var used = LSLMemory.base + program.globalIntCount * 4 + program.globalFloatCount * 4
        used += m.globalSizes.reduce(0) { $0 + Int($1) } + m.valueSizes.reduce(0) { $0 + Int($1) }
        for frame in m.frames + (m.current.map { [$0] } ?? []) {
            used += program.functions[Int(frame.function)].frameBytes
        }
        m.used = used
        return m
    }

    private static func readFrame(_ r: inout CaptureReader, _ program: LSLProgram, _ m: Machine) throws(LSLCaptureError) -> Frame {
        let frame = Frame(function: try r.i32("a frame"), pc: try r.i32("a frame"), intBase: try r.i32("a frame"),
                          floatBase: try r.i32("a frame"), valueBase: try r.i32("a frame"))
        guard frame.function >= 0, Int(frame.function) < program.functions.count else {
            throw LSLCaptureError("a frame names function \(frame.function), which does not exist")
        }
        let function = program.functions[Int(frame.function)]
        let end = Int(frame.function) + 1 < program.functions.count ? program.functions[Int(frame.function) + 1].entry : Int32(program.code.count)
        guard frame.pc >= function.entry, frame.pc < end else { throw LSLCaptureError("a frame's position is outside its function") }
        guard frame.intBase >= 0, frame.floatBase >= 0, frame.valueBase >= 0,
              Int(frame.intBase) + Int(function.intCount) <= m.intRegisters.count,
              Int(frame.floatBase) + Int(function.floatCount) <= m.floatRegisters.count,
              Int(frame.valueBase) + Int(function.valueCount) <= m.values.count else {
            throw LSLCaptureError("a frame's registers lie outside the captured registers")
        }
        return frame
    }
}
