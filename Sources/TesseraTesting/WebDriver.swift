import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TesseraStorage

/// A small W3C WebDriver client for the browser tests: it starts Debian's `chromedriver` (from
/// the `chromium-driver` package) on a free port, opens one headless Chromium session (WebGL
/// through SwiftShader, the software renderer), and drives it: navigation, elements, pointer and
/// key actions, scripts that read the page's state, screenshots.
///
/// chromedriver runs in a process group of its own together with the browser it starts, under
/// a watchdog shell that ends the group when this process ends; `quit()` (also run by
/// `withSession` when its body throws, and as a last resort when the driver is released) deletes
/// the session and then signals the group, so no browser outlives a test.
public final class WebDriver: Sendable {
    /// Something the driver could not do, with what chromedriver said.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// How the browser is started.
    public struct Options: Sendable {
        public var width: Int
        public var height: Int
        /// Added to the browser's command line.
        public var extraArguments: [String]

        public init(width: Int = 1280, height: Int = 800, extraArguments: [String] = []) {
            self.width = width
            self.height = height
            self.extraArguments = extraArguments
        }
    }

    /// W3C key values for key actions and `sendKeys` (the WebDriver specification's table).
    public enum Key {
        public static let backspace = "\u{E003}"
        public static let tab = "\u{E004}"
        public static let enter = "\u{E007}"
        public static let shift = "\u{E008}"
        public static let control = "\u{E009}"
        public static let escape = "\u{E00C}"
        public static let space = "\u{E00D}"
        public static let arrowLeft = "\u{E012}"
        public static let arrowUp = "\u{E013}"
        public static let arrowRight = "\u{E014}"
        public static let arrowDown = "\u{E015}"
    }

    /// An element of the current page, as chromedriver names it.
    public struct Element: Sendable, Equatable, CustomStringConvertible {
        public let id: String
        public let selector: String
        public var description: String { "element \(selector)" }
    }

    /// One step of a mouse: coordinates are CSS pixels of the viewport.
    public enum PointerStep: Sendable {
        case move(x: Int, y: Int, duration: Duration = .zero)
        case down(button: Int = 0)
        case up(button: Int = 0)
        case pause(Duration)
    }

    /// The W3C identifier of element references in JSON.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// Where chromedriver is looked for: `TESSERA_CHROMEDRIVER`, else Debian's path.
    public static var chromedriverPath: String {
        ProcessInfo.processInfo.environment["TESSERA_CHROMEDRIVER"] ?? "/usr/bin/chromedriver"
    }

    /// The browser chromedriver starts: `TESSERA_CHROMIUM`, else the first of Debian's paths.
    public static var chromiumPath: String? {
        if let path = ProcessInfo.processInfo.environment["TESSERA_CHROMIUM"] { return path }
        return ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The browser's arguments: headless, no GPU process sandbox (containers), software WebGL.
    public static func browserArguments(_ options: Options, profile: String) -> [String] {
        [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=\(options.width),\(options.height)",
            "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
            "--no-first-run", "--no-default-browser-check", "--hide-scrollbars", "--mute-audio", "--user-data-dir=\(profile)",
        ] + options.extraArguments
    }

    /// The watchdog's pid: the leader of the group that holds chromedriver and the browser.
    public let processGroup: pid_t
    public let base: String
    public let sessionID: String
    private let logPath: String
    private let profile: String
    private let ended = Mutex(false)

    private init(processGroup: pid_t, base: String, sessionID: String, logPath: String, profile: String) {
        self.processGroup = processGroup
        self.base = base
        self.sessionID = sessionID
        self.logPath = logPath
        self.profile = profile
    }

    deinit {
        // A driver released without `quit()`: end the group at once.
        if !ended.withLock({ $0 }) {
            _ = kill(-processGroup, SIGKILL)
            _ = ChildProcess.wait(processGroup)
            try? FileManager.default.removeItem(atPath: profile)
            try? FileManager.default.removeItem(atPath: logPath)
        }
    }

    /// Starts a session, runs `body` with it and quits it, whether `body` returns or throws.
    public static func withSession<T>(_ options: Options = .init(), _ body: (WebDriver) async throws -> T) async throws -> T {
        let driver = try await start(options)
        do {
            let result = try await body(driver)
            await driver.quit()
            return result
        } catch {
            await driver.quit()
            throw error
        }
    }

    /// Starts chromedriver and a headless Chromium session. A missing chromedriver or browser
    /// is an error that says what to install, never a skip.
    public static func start(_ options: Options = .init()) async throws -> WebDriver {
        let chromedriver = chromedriverPath
        guard FileManager.default.isExecutableFile(atPath: chromedriver) else {
            throw Failure("chromedriver is not installed at \(chromedriver): the browser tests need Debian's chromium-driver (apt-get install -y chromium chromium-driver), or TESSERA_CHROMEDRIVER naming another chromedriver")
        }
        guard let browser = chromiumPath else {
            throw Failure("chromium is not installed (apt-get install -y chromium chromium-driver), or set TESSERA_CHROMIUM")
        }
        let temporary = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let logPath = temporary.appendingPathComponent("tessera-chromedriver-\(token).log").path
        let profile = temporary.appendingPathComponent("tessera-chromium-profile-\(token)").path
        // setsid makes the shell (same pid) the leader of a new session and process group, which
        // chromedriver and the browser join; the shell ends the group once this process is gone
        // (its parent changes) or chromedriver has ended.
        let watchdog = """
            parent=$1; shift
            "$@" &
            while [ "$(cut -d' ' -f4 /proc/$$/stat)" = "$parent" ] && kill -0 $! 2>/dev/null; do sleep 1; done
            kill -KILL 0
            """
        let setsid = ["/usr/bin/setsid", "/bin/setsid"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/setsid"
        let pid = try ChildProcess.spawn(
            setsid, ["/bin/sh", "-c", watchdog, "tessera-webdriver", "\(getpid())", chromedriver, "--port=0"], outputPath: logPath)
        func abandon() {
            _ = kill(-pid, SIGKILL)
            _ = kill(pid, SIGKILL)
            _ = ChildProcess.wait(pid)
            try? FileManager.default.removeItem(atPath: profile)
        }
        // chromedriver picks a free port and says which.
        let port: Int
        do {
            port = try await Eventually.value("chromedriver says its port", timeout: .seconds(30), every: .milliseconds(50)) { () -> Int? in
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                if let range = log.range(of: "started successfully on port ") {
                    let digits = log[range.upperBound...].prefix { $0.isNumber }
                    if let port = Int(digits) { return port }
                }
                if ChildProcess.poll(pid) != nil { throw Failure("chromedriver ended at start: \(log)") }
                return nil
            }
        } catch {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            abandon()
            throw Failure("chromedriver did not start: \(error); its output: \(log)")
        }
        let base = "http://127.0.0.1:\(port)"
        let capabilities: JSONValue = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": ["binary": .string(browser), "args": .array(browserArguments(options, profile: profile).map(JSONValue.string))],
                    "goog:loggingPrefs": ["browser": "ALL"],
                ]
            ]
        ]
        do {
            let created = try await request(.POST, base + "/session", capabilities, timeout: .seconds(90))
            guard let session = created["sessionId"]?.string else { throw Failure("POST /session answered no sessionId: \(created)") }
            return WebDriver(processGroup: pid, base: base, sessionID: session, logPath: logPath, profile: profile)
        } catch {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            abandon()
            try? FileManager.default.removeItem(atPath: logPath)
            throw Failure("no browser session: \(error); chromedriver's output: \(log.suffix(4000))")
        }
    }

    /// Deletes the session (the browser closes) and ends chromedriver and anything left of the
    /// browser: SIGTERM to the group, SIGKILL after a grace. Safe to call more than once.
    public func quit() async {
        guard ended.withLock({ done in
            defer { done = true }
            return !done
        }) else { return }
        _ = try? await Self.request(.DELETE, "\(base)/session/\(sessionID)", nil, timeout: .seconds(15))
        _ = kill(-processGroup, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline && !Self.liveMembers(of: processGroup).isEmpty {
            try? await Task.sleep(for: .milliseconds(50))
        }
        // The leader is not reaped yet, so the group's id cannot have been reused.
        _ = kill(-processGroup, SIGKILL)
        _ = ChildProcess.wait(processGroup)
        try? FileManager.default.removeItem(atPath: profile)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// The pids of the group's processes that are not zombies, from /proc.
    public static func liveMembers(of group: pid_t) -> [pid_t] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm) ": state, ppid, pgrp, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == group else { return nil }
            return pid
        }
    }

    /// chromedriver's own output so far (for failure messages).
    public var chromedriverOutput: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    // MARK: Navigation and elements

    public func navigate(to url: String) async throws {
        _ = try await command(.POST, "url", ["url": .string(url)])
    }

    public func currentURL() async throws -> String {
        try await command(.GET, "url").string ?? ""
    }

    /// The first element matching a CSS selector; throws when there is none.
    public func find(_ selector: String) async throws -> Element {
        let found = try await command(.POST, "element", ["using": "css selector", "value": .string(selector)])
        guard let id = found[Self.elementKey]?.string else { throw Failure("no element reference for \(selector): \(found)") }
        return Element(id: id, selector: selector)
    }

    /// Every element matching a CSS selector (none is an empty list).
    public func findAll(_ selector: String) async throws -> [Element] {
        let found = try await command(.POST, "elements", ["using": "css selector", "value": .string(selector)])
        return (found.array ?? []).compactMap { $0[Self.elementKey]?.string }.map { Element(id: $0, selector: selector) }
    }

    public func click(_ element: Element) async throws {
        _ = try await command(.POST, "element/\(element.id)/click", [:])
    }

    public func clear(_ element: Element) async throws {
        _ = try await command(.POST, "element/\(element.id)/clear", [:])
    }

    /// Types `text` into the element (focusing it); `Key` values press those keys.
    public func sendKeys(_ element: Element, _ text: String) async throws {
        _ = try await command(.POST, "element/\(element.id)/value", ["text": .string(text)])
    }

    /// The element's rendered text (empty when it is hidden).
    public func text(_ element: Element) async throws -> String {
        try await command(.GET, "element/\(element.id)/text").string ?? ""
    }

    /// The element's attribute, nil when it has none.
    public func attribute(_ element: Element, _ name: String) async throws -> String? {
        try await command(.GET, "element/\(element.id)/attribute/\(name)").string
    }

    /// A DOM property of the element (e.g. `textContent`, `value`).
    public func property(_ element: Element, _ name: String) async throws -> JSONValue {
        try await command(.GET, "element/\(element.id)/property/\(name)")
    }

    /// The element's box in CSS pixels of the page.
    public func rect(_ element: Element) async throws -> (x: Double, y: Double, width: Double, height: Double) {
        let rect = try await command(.GET, "element/\(element.id)/rect")
        guard let x = rect["x"]?.number, let y = rect["y"]?.number, let width = rect["width"]?.number, let height = rect["height"]?.number else {
            throw Failure("no rect for \(element): \(rect)")
        }
        return (x, y, width, height)
    }

    public func isDisplayed(_ element: Element) async throws -> Bool {
        try await command(.GET, "element/\(element.id)/displayed").bool ?? false
    }

    // MARK: Scripts (reading the page's state)

    /// Runs `script` (a function body: `return …`) with `arguments` and answers its value.
    @discardableResult
    public func execute(_ script: String, _ arguments: [JSONValue] = []) async throws -> JSONValue {
        try await command(.POST, "execute/sync", ["script": .string(script), "args": .array(arguments)])
    }

    /// The browser console's messages since the last call (level and text).
    public func consoleLog() async throws -> [(level: String, message: String)] {
        let entries = try await command(.POST, "se/log", ["type": "browser"])
        return (entries.array ?? []).map { ($0["level"]?.string ?? "", $0["message"]?.string ?? "") }
    }

    // MARK: Actions

    /// Performs input sources' actions (the W3C `actions` array), in one call.
    public func perform(_ sources: [JSONValue]) async throws {
        _ = try await command(.POST, "actions", ["actions": .array(sources)], timeout: .seconds(120))
    }

    /// Releases every key and button still pressed.
    public func releaseActions() async throws {
        _ = try await command(.DELETE, "actions")
    }

    /// Mouse steps, in viewport CSS pixels.
    public func pointer(_ steps: [PointerStep]) async throws {
        let actions: [JSONValue] = steps.map { step in
            switch step {
            case .move(let x, let y, let duration):
                ["type": "pointerMove", "x": .number(Double(x)), "y": .number(Double(y)), "origin": "viewport", "duration": .number(Double(Self.millis(duration)))]
            case .down(let button): ["type": "pointerDown", "button": .number(Double(button))]
            case .up(let button): ["type": "pointerUp", "button": .number(Double(button))]
            case .pause(let duration): ["type": "pause", "duration": .number(Double(Self.millis(duration)))]
            }
        }
        try await perform([["type": "pointer", "id": "mouse", "parameters": ["pointerType": "mouse"], "actions": .array(actions)]])
    }

    /// Moves the mouse to (x, y) and clicks there (press and release, no drag).
    public func click(atX x: Int, y: Int) async throws {
        try await pointer([.move(x: x, y: y), .down(), .up()])
    }

    /// Presses the left button at `from`, moves to `to` over `duration`, releases.
    public func drag(from: (x: Int, y: Int), to: (x: Int, y: Int), duration: Duration = .milliseconds(300)) async throws {
        try await pointer([.move(x: from.x, y: from.y), .down(), .move(x: to.x, y: to.y, duration: duration), .up()])
    }

    /// Turns the mouse wheel at (x, y).
    public func wheel(atX x: Int, y: Int, deltaY: Int) async throws {
        try await perform([[
            "type": "wheel", "id": "wheel",
            "actions": [["type": "scroll", "x": .number(Double(x)), "y": .number(Double(y)), "deltaX": 0, "deltaY": .number(Double(deltaY)), "origin": "viewport"]],
        ]])
    }

    /// Presses `key` (a character or a `Key` value) and leaves it down.
    public func keyDown(_ key: String) async throws {
        try await keys([["type": "keyDown", "value": .string(key)]])
    }

    public func keyUp(_ key: String) async throws {
        try await keys([["type": "keyUp", "value": .string(key)]])
    }

    /// Holds `keys` down together for `duration`, then releases them (in reverse order).
    public func hold(_ keys: [String], for duration: Duration) async throws {
        try await self.keys(
            keys.map { ["type": "keyDown", "value": .string($0)] } + [["type": "pause", "duration": .number(Double(Self.millis(duration)))]]
                + keys.reversed().map { ["type": "keyUp", "value": .string($0)] })
    }

    /// Presses and releases `key` (to the focused element, or the page).
    public func press(_ key: String) async throws {
        try await keys([["type": "keyDown", "value": .string(key)], ["type": "keyUp", "value": .string(key)]])
    }

    private func keys(_ actions: [JSONValue]) async throws {
        try await perform([["type": "key", "id": "keyboard", "actions": .array(actions)]])
    }

    static func millis(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    // MARK: Screenshots

    /// Saves a PNG of the viewport at `path` (folders made as needed) and answers its size in bytes.
    @discardableResult
    public func screenshot(to path: String) async throws -> Int {
        guard let encoded = try await command(.GET, "screenshot", timeout: .seconds(60)).string, let png = Data(base64Encoded: encoded) else {
            throw Failure("the screenshot was not base64")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
        return png.count
    }

    // MARK: HTTP

    /// A command of this session: `path` after `/session/ID/`.
    @discardableResult
    public func command(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        guard !ended.withLock({ $0 }) else { throw Failure("\(method) \(path): the session has ended") }
        return try await Self.request(method, "\(base)/session/\(sessionID)/\(path)", method == .POST ? body ?? [:] : nil, timeout: timeout)
    }

    /// `TESSERA_WEBDRIVER_TRACE` set: every command and its reply are printed.
    static let trace = ProcessInfo.processInfo.environment["TESSERA_WEBDRIVER_TRACE"] != nil

    /// One request to chromedriver; answers the reply's `value`, throws its W3C error.
    static func request(_ method: HTTPMethod, _ url: String, _ body: JSONValue?, timeout: Duration) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(millis(timeout))))
        let bytes = try await response.body.collect(upTo: 256 << 20)
        let data = Data(bytes.readableBytesView)
        let reply: JSONValue
        do {
            reply = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw Failure("\(method) \(url): HTTP \(response.status.code), not JSON: \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        let value = reply["value"] ?? .null
        if trace {
            let sent = body.map { String($0.description.prefix(300)) } ?? ""
            print("webdriver: \(method) \(url) \(sent) → \(response.status.code) \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        if response.status.code >= 400 || value["error"] != nil {
            let error = value["error"]?.string ?? "HTTP \(response.status.code)"
            let message = value["message"]?.string ?? ""
            throw Failure("\(method) \(url.replacingOccurrences(of: "http://127.0.0.1", with: "")): \(error): \(message.prefix(1500))")
        }
        return value
    }
}

/// A JSON value, for WebDriver's bodies and the values scripts return.
public enum JSONValue: Sendable, Equatable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(elements) { _, last in last }) }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers as integers: WebDriver wants integral coordinates and durations.
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number when it is whole.
    public var int: Int? {
        guard let number, number.rounded() == number, abs(number) < 1e15 else { return nil }
        return Int(number)
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }

    public var description: String {
        guard let data = try? JSONEncoder().encode(self) else { return "?" }
        return String(decoding: data, as: UTF8.self)
    }
}
