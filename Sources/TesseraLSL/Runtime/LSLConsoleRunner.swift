/// One line of an events file (docs/lsl.md, "Events file"): what happens to the script's object
/// at a script time.
public struct LSLScriptedEvent: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// `touch_start`, `touch` or `touch_end` by the avatar of that name.
        case touch(event: String, avatar: String)
        /// `collision_start`, `collision` or `collision_end` with the avatar of that name.
        case collision(event: String, avatar: String)
        /// The avatar says `text` on `channel`: a `listen` event when a listen hears it.
        case chat(channel: Int32, avatar: String, text: String)
        /// Any event of the definitions, with its arguments.
        case event(LSLEvent)
    }

    /// Script time in seconds.
    public var time: Double
    public var action: Action
    /// The line of the events file.
    public var line: Int

    public init(time: Double, action: Action, line: Int) {
        self.time = time
        self.action = action
        self.line = line
    }
}

/// A line of an events file that says nothing meaningful: `file:line: message`.
public struct LSLEventsFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads events files: one event per line, `at SECONDS WHAT …`; blank lines and `#` comments
/// are skipped (docs/lsl.md, "Events file").
public enum LSLEventsFile {
    /// Every event of `text` in time order (lines with one time keep their order).
    public static func parse(_ text: String, file: String) throws(LSLEventsFileError) -> [LSLScriptedEvent] {
        var events: [LSLScriptedEvent] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                events.append(try parseLine(trimmed, number: index + 1))
            } catch {
                throw LSLEventsFileError(file: file, line: index + 1, message: error.message)
            }
        }
        return events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    struct LineError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// The words of a line: `"quoted text"` (with `\"`, `\\`, `\n`) and `<x, y, z>` are one word each.
    struct Words {
        var rest: Substring

        mutating func skipSpaces() { rest = rest.drop { $0 == " " || $0 == "\t" } }

        /// The rest of the line after the spaces, as written.
        mutating func remainder() -> String {
            skipSpaces()
            defer { rest = "" }
            return String(rest)
        }

        mutating func next() throws(LineError) -> (text: String, quoted: Bool)? {
            skipSpaces()
            guard let first = rest.first else { return nil }
            if first == "\"" {
                var text = ""
                var index = rest.index(after: rest.startIndex)
                while index < rest.endIndex {
                    let c = rest[index]
                    if c == "\"" {
                        rest = rest[rest.index(after: index)...]
                        return (text, true)
                    }
                    if c == "\\" {
                        index = rest.index(after: index)
                        guard index < rest.endIndex else { break }
                        switch rest[index] {
                        case "n": text.append("\n")
                        case "t": text.append("    ")
                        default: text.append(rest[index])
                        }
                    } else {
                        text.append(c)
                    }
                    index = rest.index(after: index)
                }
                throw LineError("a quoted word has no closing \"")
            }
            if first == "<" || first == "[" {
                let close: Character = first == "<" ? ">" : "]"
                guard let end = rest.firstIndex(of: close) else { throw LineError("'\(first)' has no closing '\(close)'") }
                defer { rest = rest[rest.index(after: end)...] }
                return (String(rest[...end]), false)
            }
            let end = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
            defer { rest = rest[end...] }
            return (String(rest[..<end]), false)
        }

        mutating func word(_ what: String) throws(LineError) -> String {
            guard let word = try next() else { throw LineError("expected \(what)") }
            return word.text
        }
    }

    private static func parseLine(_ line: Substring, number: Int) throws(LineError) -> LSLScriptedEvent {
        var words = Words(rest: line)
        guard try words.word("'at'") == "at" else { throw LineError("a line starts with 'at SECONDS'") }
        let timeText = try words.word("a time in seconds after 'at'")
        guard let time = Double(timeText), time >= 0, time.isFinite else {
            throw LineError("'\(timeText)' is no time in seconds (a number, 0 or more)")
        }
        let what = try words.word("what happens after 'at \(timeText)'")
        let action: LSLScriptedEvent.Action
        switch what {
        case "touch_start", "touch", "touch_end":
            action = .touch(event: what, avatar: try words.word("the name of who touches"))
        case "collision_start", "collision", "collision_end":
            action = .collision(event: what, avatar: try words.word("the name of who collides"))
        case "say":
            let channelText = try words.word("a channel after 'say'")
            guard let channel = Int32(channelText) else { throw LineError("'\(channelText)' is no channel (an integer)") }
            let avatar = try words.word("the name of who speaks")
            action = .chat(channel: channel, avatar: avatar, text: words.remainder())
        case "event":
            let name = try words.word("an event name after 'event'")
            guard let definition = LSLDefinitions.events[name] else { throw LineError("unknown event '\(name)'") }
            var arguments: [LSLValue] = []
            for parameter in definition.parameters {
                guard let word = try words.next() else {
                    throw LineError("'\(name)' needs \(definition.parameters.count) argument\(definition.parameters.count == 1 ? "" : "s"): \(definition.parameters.map { "\($0.type.rawValue) \($0.name)" }.joined(separator: ", "))")
                }
                arguments.append(try value(word.text, quoted: word.quoted, as: parameter.type, for: parameter.name))
            }
            guard try words.next() == nil else { throw LineError("'\(name)' takes \(definition.parameters.count) argument\(definition.parameters.count == 1 ? "" : "s"); there are more") }
            action = .event(LSLEvent(name, arguments))
        default:
            throw LineError("unknown event kind '\(what)' (touch_start, touch, touch_end, collision_start, collision, collision_end, say or event)")
        }
        if case .chat = action {} else if let extra = try words.next() {
            throw LineError("unexpected '\(extra.text)' at the end of the line (quote a name with spaces)")
        }
        return LSLScriptedEvent(time: time, action: action, line: number)
    }

    private static func value(_ text: String, quoted: Bool, as type: LSLType, for name: String) throws(LineError) -> LSLValue {
        func bad() -> LineError { LineError("'\(text)' is no \(type.rawValue) (for \(name))") }
        switch type {
        case .string: return .string(text)
        case .key: return .key(text)
        case .integer:
            guard !quoted else { throw bad() }
            if text.hasPrefix("0x") || text.hasPrefix("0X"), let v = UInt32(text.dropFirst(2), radix: 16) { return .integer(Int32(bitPattern: v)) }
            guard let v = Int32(text) else { throw bad() }
            return .integer(v)
        case .float:
            guard !quoted, let v = Float(text) else { throw bad() }
            return .float(v)
        case .vector, .rotation:
            guard !quoted, text.hasPrefix("<"), text.hasSuffix(">") else { throw bad() }
            let parts = text.dropFirst().dropLast().split(separator: ",").map { $0.trimmingSpaces() }
            let numbers = parts.compactMap { Float($0) }
            guard numbers.count == parts.count else { throw bad() }
            if type == .vector, numbers.count == 3 { return .vector(LSLVector(numbers[0], numbers[1], numbers[2])) }
            if type == .rotation, numbers.count == 4 { return .rotation(LSLRotation(numbers[0], numbers[1], numbers[2], numbers[3])) }
            throw bad()
        case .list:
            guard text == "[]" else { throw LineError("only an empty list [] can be given (for \(name))") }
            return .list([])
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// What the runner drives: a running script (`LSLScript`), or a stand-in in tests.
public protocol LSLConsoleRunnable: AnyObject {
    @discardableResult
    func post(_ event: LSLEvent) -> Bool
    func run(now: Double, budget: Int) -> LSLRunResult
}

extension LSLScript: LSLConsoleRunnable {}

/// Runs one script with the console host in script time (docs/lsl.md, "tessera lsl check /
/// run"): no real time passes; the clock jumps to the next timer or scripted event.
public final class LSLConsoleRunner {
    public enum Outcome: Sendable, Hashable {
        /// Nothing left to do: no timer, no pending event, no scripted event left.
        case finished(at: Double)
        /// Script time reached the limit first.
        case limitReached(at: Double)
        /// A run-time error stopped the script.
        case failed(LSLRuntimeError, at: Double)
    }

    /// The script time one slice of instructions takes, so a script that never stops working
    /// still reaches the limit.
    public static let sliceSeconds = 0.001

    public let script: any LSLConsoleRunnable
    public let host: LSLConsoleHost
    public private(set) var now: Double = 0
    private var scripted: [LSLScriptedEvent]
    private var caused: [LSLEvent] = []

    public init(script: any LSLConsoleRunnable, host: LSLConsoleHost, events: [LSLScriptedEvent]) {
        self.script = script
        self.host = host
        self.scripted = events.sorted { $0.time < $1.time }
    }

    /// Runs until the script has nothing left to do, fails, or reaches `maxSeconds` of script
    /// time. A new script has queued its `state_entry` itself.
    public func run(maxSeconds: Double, budget: Int) -> Outcome {
        host.onEvent = { [unowned self] event in self.caused.append(event) }
        defer { host.onEvent = nil }
        while true {
            deliverDue()
            host.now = now
            let result = script.run(now: now, budget: budget)
            let postedCaused = !caused.isEmpty
            for event in caused { script.post(event) }
            caused = []
            switch result {
            case .failed(let error):
                return .failed(error, at: now)
            case .yielded:
                now += Self.sliceSeconds
                if now >= maxSeconds { return .limitReached(at: maxSeconds) }
            case .waiting(let until):
                if postedCaused { continue }
                let next = min(until ?? .infinity, scripted.first?.time ?? .infinity)
                if next == .infinity { return .finished(at: now) }
                if next > maxSeconds { return .limitReached(at: maxSeconds) }
                now = max(now, next)
            }
        }
    }

    /// Posts the scripted events whose time has come.
    private func deliverDue() {
        while let first = scripted.first, first.time <= now {
            scripted.removeFirst()
            deliver(first.action)
        }
    }

    private func deliver(_ action: LSLScriptedEvent.Action) {
        switch action {
        case .touch(let event, let avatar), .collision(let event, let avatar):
            host.detected = [host.avatar(named: avatar)]
            script.post(LSLEvent(event, [.integer(1)]))
        case .chat(let channel, let avatar, let text):
            guard host.hears(channel: channel, speaker: avatar, text: text) else { return }
            script.post(LSLEvent("listen", [.integer(channel), .string(avatar), .key(host.avatarKey(for: avatar)), .string(text)]))
        case .event(let event):
            script.post(event)
        }
    }
}
