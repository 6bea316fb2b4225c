import Foundation
import TesseraGridProtocol
import TesseraWorld

/// The script service's capture format (docs/scripts.md, "Capture envelope"): the VM's own
/// capture and what the host keeps for the script. Opaque to regions; versioned; every field
/// is checked when read, so bad bytes are refused with what was wrong, never trusted.
///
/// Little-endian. `TSCE` magic (u32 0x45435354), version u32 (1), then:
/// flags u8 (1: running), start parameter i32, VM capture (u32 length + bytes),
/// next listen handle i32, listen count u32 (≤ 65) and per listen: handle i32, channel i32,
/// name, key and message (u16 length + UTF-8), active u8; sensor repeat u8 (0/1) and when 1:
/// name, key (text, empty for none), type u8, range f32, arc f32, period f64, next due f64;
/// chat tokens f64, chat refilled f64, chat warned f64 (script time).
struct ScriptEnvelope: Equatable {
    static let magic: UInt32 = 0x4543_5354  // "TSCE"
    static let version: UInt32 = 1

    var running: Bool
    var startParameter: Int32
    var vm: [UInt8]
    var nextListenHandle: Int32
    var listens: [Int32: ScriptListen]
    var sensorRepeat: SensorRepeat?
    var chatTokens: Double
    var chatRefilled: Double
    var chatWarned: Double

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    func encoded() -> [UInt8] {
        var w = EnvelopeWriter()
        w.u32(Self.magic)
        w.u32(Self.version)
        w.u8(running ? 1 : 0)
        w.u32(UInt32(bitPattern: startParameter))
        w.u32(UInt32(vm.count))
        w.bytes.append(contentsOf: vm)
        w.u32(UInt32(bitPattern: nextListenHandle))
        w.u32(UInt32(listens.count))
        for (handle, listen) in listens.sorted(by: { $0.key < $1.key }) {
            w.u32(UInt32(bitPattern: handle))
            w.u32(UInt32(bitPattern: listen.channel))
            w.text(listen.name)
            w.text(listen.key)
            w.text(listen.message)
            w.u8(listen.active ? 1 : 0)
        }
        if let sensor = sensorRepeat {
            w.u8(1)
            w.text(sensor.name)
            w.text(sensor.key.map { $0.uuidString.lowercased() } ?? "")
            w.u8(sensor.type)
            w.u32(sensor.range.bitPattern)
            w.u32(sensor.arc.bitPattern)
            w.f64(sensor.period)
            w.f64(sensor.nextDue)
        } else {
            w.u8(0)
        }
        w.f64(chatTokens)
        w.f64(chatRefilled)
        w.f64(chatWarned)
        return w.bytes
    }

    init(
        running: Bool, startParameter: Int32, vm: [UInt8], nextListenHandle: Int32, listens: [Int32: ScriptListen],
        sensorRepeat: SensorRepeat?, chatTokens: Double, chatRefilled: Double, chatWarned: Double
    ) {
        self.running = running
        self.startParameter = startParameter
        self.vm = vm
        self.nextListenHandle = nextListenHandle
        self.listens = listens
        self.sensorRepeat = sensorRepeat
        self.chatTokens = chatTokens
        self.chatRefilled = chatRefilled
        self.chatWarned = chatWarned
    }

    init(decoding bytes: [UInt8]) throws(Failure) {
        var r = EnvelopeReader(bytes)
        guard try r.u32("the header") == Self.magic else { throw Failure("not a script service capture") }
        let version = try r.u32("the header")
        guard version == Self.version else { throw Failure("capture version \(version); this service reads \(Self.version)") }
        let flags = try r.u8("the flags")
        guard flags & ~1 == 0 else { throw Failure("unknown flags \(flags)") }
        running = flags & 1 != 0
        startParameter = Int32(bitPattern: try r.u32("the start parameter"))
        let vmCount = Int(try r.u32("the VM capture"))
        vm = try r.take(vmCount, "the VM capture")
        let next = Int32(bitPattern: try r.u32("the next listen handle"))
        nextListenHandle = next
        let listenCount = Int(try r.u32("the listens"))
        guard listenCount <= ScriptListen.maxPerScript else { throw Failure("\(listenCount) listens, more than \(ScriptListen.maxPerScript)") }
        var listens: [Int32: ScriptListen] = [:]
        for _ in 0..<listenCount {
            let handle = Int32(bitPattern: try r.u32("a listen"))
            let channel = Int32(bitPattern: try r.u32("a listen"))
            let name = try r.text("a listen's name")
            let key = try r.text("a listen's key")
            let message = try r.text("a listen's message")
            let active = try r.u8("a listen") != 0
            guard handle > 0, listens[handle] == nil else { throw Failure("listen handle \(handle) is not valid or used twice") }
            listens[handle] = ScriptListen(channel: channel, name: name, key: key, message: message, active: active)
        }
        guard next > 0 else { throw Failure("next listen handle \(next) is not positive") }
        self.listens = listens
        switch try r.u8("the sensor flag") {
        case 0: sensorRepeat = nil
        case 1:
            let name = try r.text("the sensor's name")
            let keyText = try r.text("the sensor's key")
            let key: UUID?
            if keyText.isEmpty {
                key = nil
            } else {
                guard let parsed = UUID(uuidString: keyText) else { throw Failure("the sensor's key \(keyText) is no key") }
                key = parsed
            }
            let type = try r.u8("the sensor's type")
            let range = Float(bitPattern: try r.u32("the sensor's range"))
            let arc = Float(bitPattern: try r.u32("the sensor's arc"))
            let period = try r.f64("the sensor's period")
            let next = try r.f64("the sensor's next sweep")
            guard range.isFinite, arc.isFinite, period >= WorldFunctions.minSensorPeriod else { throw Failure("the sensor repeat is not valid") }
            sensorRepeat = SensorRepeat(name: name, key: key, type: type, range: range, arc: arc, period: period, nextDue: next)
        case let other: throw Failure("sensor flag \(other)")
        }
        chatTokens = try r.f64("the chat bucket")
        chatRefilled = try r.f64("the chat bucket")
        chatWarned = try r.f64("the chat bucket")
        guard r.isAtEnd else { throw Failure("\(r.remaining) bytes after the capture") }
    }
}

struct EnvelopeWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func text(_ s: String) {
        let utf8 = Array(s.utf8.prefix(Int(UInt16.max)))
        withUnsafeBytes(of: UInt16(utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: utf8)
    }
}

struct EnvelopeReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ what: String) throws(ScriptEnvelope.Failure) -> [UInt8] {
        guard n >= 0, n <= bytes.count - offset else { throw ScriptEnvelope.Failure("the capture ends inside \(what)") }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func u8(_ what: String) throws(ScriptEnvelope.Failure) -> UInt8 { try take(1, what)[0] }

    mutating func u32(_ what: String) throws(ScriptEnvelope.Failure) -> UInt32 {
        var v: UInt32 = 0
        for (i, byte) in try take(4, what).enumerated() { v |= UInt32(byte) << (8 * UInt32(i)) }
        return v
    }

    mutating func f64(_ what: String) throws(ScriptEnvelope.Failure) -> Double {
        var v: UInt64 = 0
        for (i, byte) in try take(8, what).enumerated() { v |= UInt64(byte) << (8 * UInt64(i)) }
        let value = Double(bitPattern: v)
        guard value.isFinite else { throw ScriptEnvelope.Failure("\(what) is not a finite number") }
        return value
    }

    mutating func text(_ what: String) throws(ScriptEnvelope.Failure) -> String {
        let lo = try u8(what), hi = try u8(what)
        let count = Int(lo) | Int(hi) << 8
        let raw = try take(count, what)
        guard let text = String(validating: raw, as: UTF8.self), !text.utf8.contains(0) else {
            throw ScriptEnvelope.Failure("\(what) is not text")
        }
        return text
    }
}
