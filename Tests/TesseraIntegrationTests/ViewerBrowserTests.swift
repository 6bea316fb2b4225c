import AsyncHTTPClient
import Foundation
import Synchronization
import Testing
import TesseraBots
import TesseraClientProtocol
import TesseraGrid
import TesseraRegion
import TesseraTesting
import TesseraWire
import TesseraWorld

/// The web viewer (`/viewer/`) in headless Chromium driven over WebDriver (Debian's
/// chromedriver; WebGL through SwiftShader), against a real grid in process: West and East side
/// by side on two region nodes, grid services with accounts and passwords, and bots
/// (ScenarioClients) that the page must show, hear and answer. The tests rely on the page's DOM
/// contract (docs/viewer.md) and read `window.tessera` only to learn state, never to act:
/// everything is done with the keyboard and the mouse. Screenshots go to `artifacts/viewer-*.png`.
///
/// `TESSERA_VIEWER_DIR` (read by the client manager) serves the page's files from a folder
/// instead of the bundled copy.
@Suite("The web viewer in headless Chromium", .serialized)
struct ViewerBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let artifacts = repository.appendingPathComponent("artifacts").path
    static let password = "correct horse"
    static let viewerName = "Vera Viewer"
    /// West and East side by side, one region node each.
    static let layout: [[ScenarioGrid.Region]] = [[ScenarioGrid.Region("West", x: 1000, y: 1000)], [ScenarioGrid.Region("East", x: 1001, y: 1000)]]

    // MARK: The grid

    /// A grid of West and East with grid services (and scripts when asked), an account for the
    /// viewer, and `bots` logged in as bots with accounts of their own.
    static func withGrid(
        bots: [String] = [], scripts: Bool = false, physics: Bool = false, _ body: (ScenarioGrid, GridOperations, UUID, [ScenarioClient]) async throws -> Void
    ) async throws {
        // A hill east of the centre, so the ground the page draws is not flat.
        let hill = "[[region_node.region.hill]]\n  x = 170\n  y = 150\n  radius = 30\n  height = 6\n"
        let grid = try await ScenarioGrid.start(
            spawnRadius: 3, extraRegionKeys: hill, migrationsDirectory: migrationsDirectory, layout: layout, inProcessPhysics: physics,
            inProcessScripts: scripts)
        var clients: [ScenarioClient] = []
        do {
            let operations = try #require(grid.gridServices).operations
            let viewer = try await makeAccount(operations, viewerName, password: password)
            if scripts { try await ScriptTesting.waitForScripts(.attached, in: "West", of: grid) }
            if physics { try await PhysicsGridTests.waitAttached(grid, regions: ["West", "East"]) }
            for name in bots {
                _ = try await makeAccount(operations, name, password: password)
                let client = try await ScenarioClient.connect(grid.url)
                clients.append(client)
                try await client.login(name, password: password)
            }
            try await body(grid, operations, viewer, clients)
        } catch {
            for client in clients { await client.close() }
            await grid.stop()
            throw error
        }
        for client in clients { await client.close() }
        await grid.stop()
    }

    static func port(_ grid: ScenarioGrid) throws -> Int {
        try #require(grid.clientManager.address?.port)
    }

    /// The regions whose last status holds `agent` as a root agent.
    static func roots(of agent: UUID, in grid: ScenarioGrid) -> [String] {
        grid.regionNodes.flatMap { $0.status().regions }.filter { $0.rootAgents.contains(agent) }.map(\.name)
    }

    /// Root agents in every region, as the regions report them.
    static func rootAgentCount(_ grid: ScenarioGrid) -> Int {
        grid.regionNodes.flatMap { $0.status().regions }.map(\.rootAgents.count).reduce(0, +)
    }

    /// The region's view of `agent`: its position in region `name`.
    static func position(of agent: UUID, in name: String, of grid: ScenarioGrid) async throws -> Vector3? {
        try await grid.runner(name)?.inspect { $0.avatarState(agent)?.position }
    }

    // MARK: The page

    /// Opens the viewer of `grid` in a fresh browser, waits for its login form and runs `body`.
    /// When `body` throws, a screenshot (`artifacts/viewer-failure-NAME.png`), the page's state
    /// and the browser console go into the failure.
    static func withPage(_ grid: ScenarioGrid, _ name: String, fragment: String = "", _ body: (ViewerPage) async throws -> Void) async throws {
        let url = "http://127.0.0.1:\(try port(grid))/viewer/" + fragment
        try await WebDriver.withSession { driver in
            let page = ViewerPage(driver: driver, url: url)
            do {
                try await driver.navigate(to: url)
                if fragment.isEmpty { try await page.waitForState("login") }
                try await body(page)
                let errors = try await driver.consoleLog().filter { $0.level == "SEVERE" }
                #expect(errors.isEmpty, "the browser console has errors: \(errors.map(\.message))")
            } catch {
                let shot = "\(artifacts)/viewer-failure-\(name).png"
                _ = try? await driver.screenshot(to: shot)
                let state = await page.describe()
                let console = ((try? await driver.consoleLog()) ?? []).map { "\($0.level) \($0.message)" }.joined(separator: "\n")
                Issue.record("\(name) failed: \(error)\npage: \(state)\nscreenshot: \(shot)\nconsole:\n\(console)")
                throw error
            }
        }
    }

    /// The page as the DOM contract describes it.
    struct ViewerPage {
        let driver: WebDriver
        let url: String

        func element(_ selector: String) async throws -> WebDriver.Element { try await driver.find(selector) }

        func attribute(_ selector: String, _ name: String) async throws -> String? {
            try await driver.attribute(element(selector), name)
        }

        /// The element's textContent (whether shown or not).
        func textContent(_ selector: String) async throws -> String {
            try await driver.property(element(selector), "textContent").string ?? ""
        }

        /// `document.body.dataset.state`.
        func state() async throws -> String? { try await attribute("body", "data-state") }

        func waitForState(_ state: String, timeout: Duration = .seconds(60)) async throws {
            try await waitFor("the page's state is \(state)", timeout: timeout) { try await self.state() == state }
        }

        /// Waits (bounded) until `check` gives a value; errors of `check` count as "not yet".
        @discardableResult
        func waitFor<T>(_ what: String, timeout: Duration = .seconds(60), _ check: () async throws -> T?) async throws -> T {
            try await Eventually.value(what, timeout: timeout, every: .milliseconds(100)) { try? await check() }
        }

        func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
            try await waitFor(what, timeout: timeout) { try await condition() ? true : nil }
        }

        /// Fills the login form and presses the button.
        func login(_ name: String, password: String, region: String = "") async throws {
            for (selector, text) in [("#login-name", name), ("#login-password", password), ("#login-region", region)] {
                let field = try await element(selector)
                try await driver.clear(field)
                if !text.isEmpty { try await driver.sendKeys(field, text) }
            }
            try await driver.click(element("#login-submit"))
        }

        /// Logs in and waits until the world is shown with its own avatar in it.
        func enterWorld(_ name: String, password: String, region: String = "") async throws {
            try await login(name, password: password, region: region)
            try await waitForState("world")
            try await waitFor("the own avatar is drawn") { (try await self.entities()).contains { $0.name == name && $0.kind == 1 } }
        }

        /// A `#view` data attribute as a number.
        func viewFigure(_ name: String) async throws -> Int? {
            try await attribute("#view", "data-\(name)").flatMap { Int($0) }
        }

        struct ChatLine: Equatable, CustomStringConvertible {
            var speaker: String
            var type: String
            var channel: String
            var text: String
            /// Elements a stranger's markup would make (img, b, script): text must stay text.
            var foreign: Int
            var description: String { "[\(type) \(channel)] \(speaker) | \(text) (\(foreign) foreign elements)" }
        }

        /// The lines of `#chat-log`, read from the DOM.
        func chatLines() async throws -> [ChatLine] {
            let lines = try await driver.execute("""
                return Array.from(document.querySelectorAll('#chat-log .chat-line')).map(line => ({
                    speaker: line.dataset.speaker ?? null, type: line.dataset.type ?? null, channel: line.dataset.channel ?? null,
                    text: line.textContent, foreign: line.querySelectorAll('img, b, script').length }));
                """)
            return (lines.array ?? []).map {
                ChatLine(
                    speaker: $0["speaker"]?.string ?? "?", type: $0["type"]?.string ?? "?", channel: $0["channel"]?.string ?? "?",
                    text: $0["text"]?.string ?? "", foreign: $0["foreign"]?.int ?? -1)
            }
        }

        struct Entity: CustomStringConvertible {
            var id: Int
            var kind: Int
            var name: String
            var x: Double
            var y: Double
            var z: Double
            var description: String { "\(id) \(kind == 1 ? "avatar" : "object") \(name) (\(x), \(y), \(z))" }
        }

        /// `window.tessera.entityList()`.
        func entities() async throws -> [Entity] {
            let list = try await driver.execute("return window.tessera ? window.tessera.entityList() : null;")
            guard let items = list.array else { throw WebDriver.Failure("window.tessera.entityList() is missing: \(list)") }
            return items.map {
                Entity(
                    id: $0["id"]?.int ?? -1, kind: $0["kind"]?.int ?? -1, name: $0["name"]?.string ?? "?",
                    x: $0["x"]?.number ?? .nan, y: $0["y"]?.number ?? .nan, z: $0["z"]?.number ?? .nan)
            }
        }

        /// `window.tessera.screenPosition(id)`: CSS pixels of the entity's centre, nil when not on screen.
        func screenPosition(_ id: Int) async throws -> (x: Double, y: Double)? {
            let point = try await driver.execute("return window.tessera.screenPosition(arguments[0]);", [.number(Double(id))])
            guard let x = point["x"]?.number, let y = point["y"]?.number else { return nil }
            return (x, y)
        }

        /// Where the own avatar is drawn: `renderPosition(now)` of the session's own entity, in
        /// world metres from the scene's origin.
        func drawnSelf() async throws -> (x: Double, y: Double, z: Double)? {
            let point = try await driver.execute("""
                const session = window.tessera && window.tessera.session;
                const me = session && session.entity(session.selfID);
                return me ? me.renderPosition(performance.now()) : null;
                """)
            guard let x = point[0]?.number, let y = point[1]?.number, let z = point[2]?.number else { return nil }
            return (x, y, z)
        }

        /// `#hud-position`'s three numbers (region-local x, y, z).
        func hudPosition() async throws -> [Double] {
            ViewerBrowserTests.numbers(in: try await textContent("#hud-position"))
        }

        @discardableResult
        func screenshot(_ name: String) async throws -> String {
            let path = "\(ViewerBrowserTests.artifacts)/viewer-\(name).png"
            let bytes = try await driver.screenshot(to: path)
            #expect(bytes > 10_000, "a screenshot at \(path)")
            return path
        }

        /// State, error text, HUD and figures, for failure messages.
        func describe() async -> String {
            let value = try? await driver.execute("""
                const text = id => { const e = document.getElementById(id); return e ? e.textContent : null; };
                const view = document.getElementById('view');
                return { state: document.body.dataset.state ?? null, error: text('login-error'), alert: text('alert'),
                    region: text('hud-region'), position: text('hud-position'),
                    view: view ? Object.assign({}, view.dataset) : null,
                    entities: window.tessera ? window.tessera.entityList() : null };
                """)
            return value.map(\.description) ?? "(no page)"
        }
    }

    /// The decimal numbers in `text`, in order.
    static func numbers(in text: String) -> [Double] {
        text.matches(of: /-?\d+(?:\.\d+)?/).compactMap { Double($0.output) }
    }

    // MARK: Tests

    /// A page for the driver's own test: an input, a button, and logs of keys and presses.
    static let driverPage = """
        <!doctype html><body><input id="name"><button id="go">Go</button><div id="out"></div>
        <script>
        const keys = []; window.keys = keys;
        document.addEventListener('keydown', e => keys.push('down ' + e.key));
        document.addEventListener('keyup', e => keys.push('up ' + e.key));
        document.addEventListener('pointerdown', e => { document.body.dataset.down = e.clientX + ',' + e.clientY; });
        document.getElementById('go').addEventListener('click', () => {
            document.getElementById('out').textContent = 'hello ' + document.getElementById('name').value;
        });
        </script></body>
        """

    @Test("the WebDriver client types, clicks, presses keys, reads the page, renders WebGL in software, and leaves no process behind")
    func webDriver() async throws {
        let url = "data:text/html;base64," + Data(Self.driverPage.utf8).base64EncodedString()
        var group: pid_t = 0
        try await WebDriver.withSession { driver in
            group = driver.processGroup
            #expect(!WebDriver.liveMembers(of: group).isEmpty)
            try await driver.navigate(to: url)
            try await driver.sendKeys(driver.find("#name"), "Ada")
            try await driver.click(driver.find("#go"))
            #expect(try await driver.text(driver.find("#out")) == "hello Ada")
            #expect(try await driver.attribute(driver.find("#go"), "id") == "go")
            #expect(try await driver.attribute(driver.find("#go"), "data-none") == nil)
            #expect(try await driver.findAll("button").count == 1)
            #expect(try await driver.findAll("canvas").isEmpty)
            await #expect(throws: WebDriver.Failure.self) { try await driver.find("#missing") }

            try await driver.click(atX: 300, y: 200)
            #expect(try await driver.attribute(driver.find("body"), "data-down") == "300,200")
            try await driver.hold(["w", WebDriver.Key.shift], for: .milliseconds(200))
            try await driver.press(WebDriver.Key.arrowUp)
            // Typing "Ada" came first.
            let keys = try await driver.execute("return window.keys;").array ?? []
            #expect(keys.prefix(6) == ["down Shift", "down A", "up A", "up Shift", "down d", "up d"])
            #expect(keys.dropFirst(8) == ["down w", "down Shift", "up Shift", "up w", "down ArrowUp", "up ArrowUp"])
            #expect(try await driver.execute("return arguments[0] + arguments[1].n;", [40, ["n": 2]]) == 42)

            let renderer = try await driver.execute("""
                const gl = document.createElement('canvas').getContext('webgl');
                if (!gl) return null;
                const info = gl.getExtension('WEBGL_debug_renderer_info');
                return gl.getParameter(info.UNMASKED_RENDERER_WEBGL);
                """)
            #expect(renderer.string?.contains("SwiftShader") == true, "WebGL through SwiftShader: \(renderer)")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-webdriver-\(UUID().uuidString).png").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let bytes = try await driver.screenshot(to: path)
            let png = try #require(FileManager.default.contents(atPath: path))
            #expect(bytes == png.count && png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        }
        #expect(WebDriver.liveMembers(of: group).isEmpty, "chromedriver and the browser have ended")

        // A body that throws still ends them.
        struct Thrown: Error {}
        await #expect(throws: Thrown.self) {
            try await WebDriver.withSession { driver in
                group = driver.processGroup
                try await driver.navigate(to: url)
                throw Thrown()
            }
        }
        #expect(WebDriver.liveMembers(of: group).isEmpty, "ended after a failure too")
    }

    @Test("a wrong password shows a readable error and the form stays; an unknown name says the same")
    func wrongPassword() async throws {
        try await Self.withGrid { grid, _, _, _ in
            func failedLogins() -> Int { grid.clientManager.stats.failedLogins.load(ordering: .relaxed) }
            try await Self.withPage(grid, "wrong-password") { page in
                #expect(try await page.attribute("#login-password", "type") == "password")
                #expect(try await page.textContent("#login-error") == "")
                try await page.login(Self.viewerName, password: "wrong horse!")
                let error = try await page.waitFor("an error in #login-error") {
                    let text = try await page.textContent("#login-error")
                    return text.isEmpty ? nil : text
                }
                #expect(error == "Wrong name or password.")
                try await page.waitForState("login")
                #expect(try await page.driver.isDisplayed(page.element("#login")), "the form is shown again")
                #expect(try await page.driver.property(page.element("#login-name"), "value").string == Self.viewerName, "the name is kept")
                #expect(Self.rootAgentCount(grid) == 0, "nobody entered the world")
                try await page.screenshot("login-error")

                // The same words for a name nobody has, once the client manager has refused it.
                #expect(failedLogins() == 1)
                try await page.login("Nobody Here", password: Self.password)
                try await Eventually.until("the second login is refused") { failedLogins() == 2 }
                try await page.waitFor("the error for an unknown name") {
                    guard try await page.state() == "login" else { return false }
                    return try await page.textContent("#login-error") == "Wrong name or password."
                }
                #expect(Self.rootAgentCount(grid) == 0)
            }
        }
    }

    @Test("logged in, the page draws the bots the test started: #view[data-avatars] is the server's count of root agents")
    func seesTheBots() async throws {
        let bots = ["Bot One", "Bot Two", "Bot Three"]
        try await Self.withGrid(bots: bots) { grid, operations, viewer, clients in
            // A fourth bot far away, in the middle of East: out of the viewer's view (64 m).
            _ = try await makeAccount(operations, "Bot Far", password: Self.password)
            let far = try await ScenarioClient.connect(grid.url)
            try await far.login("Bot Far", password: Self.password, startRegion: "East")
            try await Self.withPage(grid, "bots") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                #expect(Self.roots(of: viewer, in: grid) == ["West"])
                #expect(Self.rootAgentCount(grid) == 5)
                // The server's count of root agents in the viewer's view: their distance in
                // world metres (East lies 256 m east of West).
                let me = try #require(try await Self.position(of: viewer, in: "West", of: grid))
                var expected = 1
                for client in clients + [far] {
                    let agent = try #require(client.mirror.welcome?.agentID)
                    let region = try #require(Self.roots(of: agent, in: grid).first)
                    let position = try #require(try await Self.position(of: agent, in: region, of: grid))
                    let dx = Double(position.x) + (region == "East" ? 256 : 0) - Double(me.x), dy = Double(position.y - me.y)
                    if hypot(dx, dy) <= 64 { expected += 1 }
                }
                #expect(expected == 4, "three bots and the viewer in view, Bot Far out of it")
                try await page.waitFor("#view[data-avatars] is \(expected)") { try await page.viewFigure("avatars") == expected }
                let avatars = try await page.entities().filter { $0.kind == 1 }.map(\.name).sorted()
                #expect(avatars == (bots + [Self.viewerName]).sorted())
                #expect(try await page.attribute("#view", "data-region") == "West")
                #expect(try await page.textContent("#hud-region") == "West")
                // Frames keep being drawn.
                let frames = try #require(try await page.viewFigure("frames"))
                try await page.waitFor("more frames are drawn") { (try await page.viewFigure("frames") ?? 0) > frames }
                // The bots stand on screen.
                for avatar in try await page.entities() where avatar.kind == 1 && avatar.name != Self.viewerName {
                    let point = try await page.screenPosition(avatar.id)
                    #expect(point != nil, "\(avatar.name) is on screen")
                }
                try await page.screenshot("bots")
            }
            await far.close()
        }
    }

    @Test("chat typed in the page is heard by a bot, and the bot's answer shows in #chat-log under its name; strangers' text stays text")
    func chatWithABot() async throws {
        try await Self.withGrid(bots: ["Bot One"]) { grid, _, _, clients in
            let bot = clients[0]
            try await Self.withPage(grid, "chat") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                let heard = bot.mirror.chat.count
                let input = try await page.element("#chat-input")
                try await page.driver.sendKeys(input, "hello from the browser" + WebDriver.Key.enter)
                try await bot.waitFor("the bot hears the page") { mirror in
                    mirror.chat.dropFirst(heard).contains { $0.speakerName == Self.viewerName && $0.text == "hello from the browser" }
                }
                let said = try #require(bot.mirror.chat.dropFirst(heard).first { $0.speakerName == Self.viewerName })
                #expect(said.type == .say && said.channel == 0)
                #expect(try await page.driver.property(input, "value").string == "", "the input is emptied once sent")

                try await bot.say("Hello, \(Self.viewerName)")
                let answer = try await page.waitFor("the answer in #chat-log") {
                    try await page.chatLines().first { $0.speaker == "Bot One" }
                }
                #expect(answer == .init(speaker: "Bot One", type: "say", channel: "0", text: "Bot One: Hello, \(Self.viewerName)", foreign: 0))
                let own = try await page.chatLines().first { $0.speaker == Self.viewerName }
                #expect(own == .init(speaker: Self.viewerName, type: "say", channel: "0", text: "\(Self.viewerName): hello from the browser", foreign: 0))

                // Shouting by the select.
                try await page.driver.click(page.element("#chat-type option[value=\"shout\"]"))
                try await page.driver.sendKeys(input, "can you hear me" + WebDriver.Key.enter)
                try await bot.waitFor("the bot hears the shout") { mirror in
                    mirror.chat.dropFirst(heard).contains { $0.speakerName == Self.viewerName && $0.text == "can you hear me" && $0.type == .shout }
                }

                // Markup from a stranger is shown as the characters it is.
                let hostile = "<img src=x onerror=alert(1)><b>bold</b> & <script>x()</script>"
                try await bot.shout(hostile)
                let shouted = try await page.waitFor("the shout in #chat-log") {
                    try await page.chatLines().first { $0.speaker == "Bot One" && $0.type == "shout" }
                }
                #expect(shouted == .init(speaker: "Bot One", type: "shout", channel: "0", text: "Bot One: \(hostile)", foreign: 0))
                try await page.screenshot("chat")
            }
        }
    }

    @Test("a click on the mini-map near West's east edge teleports there; holding W walks east across the border into East")
    func walkAcrossTheBorder() async throws {
        try await Self.withGrid { grid, _, viewer, _ in
            try await Self.withPage(grid, "crossing") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                let names = try await page.driver.findAll("#minimap rect.map-region")
                var mapped: [String] = []
                for square in names { mapped.append(try await page.driver.attribute(square, "data-name") ?? "?") }
                #expect(mapped.sorted() == ["East", "West"])

                // Teleport by the map: 250 m east in West, halfway north.
                let west = try await page.element("#minimap rect.map-region[data-name=\"West\"]")
                let square = try await page.driver.rect(west)
                try await page.driver.click(atX: Int(square.x + square.width * 250 / 256), y: Int(square.y + square.height / 2))
                let placed = try await page.waitFor("the server has the avatar near West's east edge") { () -> Vector3? in
                    guard let position = try await Self.position(of: viewer, in: "West", of: grid), position.x > 240 else { return nil }
                    return position
                }
                #expect(placed.x < 256 && abs(placed.y - 128) < 8, "at the clicked point: \(placed)")
                try await page.waitFor("#hud-position shows the teleport") { (try await page.hudPosition().first ?? 0) > 240 }
                #expect(try await page.textContent("#hud-region") == "West")
                try await page.screenshot("before-crossing")

                // Heading starts east: hold W until the page names East. On the way, the own
                // avatar is drawn in world metres from West's corner: it never jumps back to
                // East's own coordinates (a crossing moves nothing on screen).
                var drawn: [Double] = []
                try await page.driver.keyDown("w")
                do {
                    try await page.waitFor("#hud-region names East", timeout: .seconds(60)) {
                        if let x = try await page.drawnSelf()?.x { drawn.append(x) }
                        return try await page.textContent("#hud-region") == "East"
                    }
                } catch {
                    try? await page.driver.keyUp("w")
                    throw error
                }
                try await page.driver.keyUp("w")
                try await Eventually.until("the avatar is root in East only", timeout: .seconds(20)) { Self.roots(of: viewer, in: grid) == ["East"] }
                let arrived = try #require(try await Self.position(of: viewer, in: "East", of: grid))
                #expect(arrived.x < 30 && abs(arrived.y - placed.y) < 2, "entered East at its west edge on the same line: \(arrived)")
                #expect(try await page.attribute("#view", "data-region") == "East")
                // Drawn in world metres from West's corner: past 256 m east, where the server has it.
                let world = try #require(try await page.drawnSelf())
                drawn.append(world.x)
                let local = try await page.hudPosition()
                #expect(local.count == 3, "#hud-position has x, y, z: \(local)")
                #expect(abs(world.x - 256 - (local.first ?? .nan)) < 2, "drawn at \(world.x) m, \(local.first ?? .nan) m into East")
                #expect(drawn.count >= 2 && drawn.allSatisfy { $0 > Double(placed.x) - 2 && $0 < 256 + 30 }, "drawn x on the way: \(drawn)")
                #expect(zip(drawn, drawn.dropFirst()).allSatisfy { $1 > $0 - 1 }, "never drawn backwards: \(drawn)")
                try await page.waitFor("one own dot on the mini-map") { try await page.driver.findAll("#minimap circle.map-dot.self").count == 1 }
                try await page.screenshot("crossing")
            }
        }
    }

    static let greeter = """
        default {
            touch_start(integer n) { llSay(0, "Hello, " + llDetectedName(0)); }
        }
        """

    static let listener = """
        default {
            state_entry() {
                llListen(7, "", NULL_KEY, "");
                llSay(0, "ready");
            }
            listen(integer channel, string name, key id, string message) {
                llSetText(message, <1.0, 0.9, 0.3>, 1.0);
                llSay(0, "heard " + (string)channel + " " + message + " from " + name);
            }
        }
        """

    @Test("a click on a scripted object touches it: its script's greeting shows in #chat-log and #view[data-touched] names it; /7 text reaches a listener on channel 7")
    func touchAScriptedObject() async throws {
        try await Self.withGrid(bots: ["Bot One"], scripts: true) { grid, _, viewer, clients in
            let bot = clients[0]
            try await Self.withPage(grid, "touch") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                // The bot steps ahead-left of the avatar (east is ahead), out of the way; a 1 m
                // box stands ahead-right, on the ground.
                let me = try #require(try await Self.position(of: viewer, in: "West", of: grid))
                try await bot.send(.teleport(Teleport(requestID: 2, region: "West", position: Vector3(me.x + 3, me.y + 6, 0))))
                try await bot.waitFor("the bot stands aside") { mirror in
                    guard let position = mirror.me?.motion.position.position else { return false }
                    return abs(position.x - (me.x + 3)) < 0.5 && abs(position.y - (me.y + 6)) < 0.5
                }
                let ground = try #require(grid.config.regionNodes[0].regions.first).terrain.height(x: me.x + 7, y: me.y - 3)
                try await bot.send(.createObject(CreateObject(
                    requestID: 1, shape: .box, position: Vector3(me.x + 7, me.y - 3, ground + 0.5), scale: Vector3(1, 1, 1), name: "Greeter")))
                try await bot.waitFor("the box is made") { $0.results.contains { $0.requestID == 1 } || $0.errors.contains { $0.requestID == 1 } }
                let made = try #require(bot.mirror.results.first { $0.requestID == 1 }, "\(bot.mirror.errors)")
                try await bot.addScript(to: made.localID, name: "greet", source: Self.greeter)

                let box = try await page.waitFor("the page draws the box") { try await page.entities().first { $0.name == "Greeter" && $0.kind == 2 } }
                try await page.waitFor("#view[data-objects] counts it") { (try await page.viewFigure("objects") ?? 0) >= 1 }
                let point = try await page.waitFor("the box is on screen") { try await page.screenPosition(box.id) }
                let size = try await page.driver.execute("return [window.innerWidth, window.innerHeight];")
                let width = try #require(size[0]?.number), height = try #require(size[1]?.number)
                #expect(point.x > 0 && point.x < width && point.y > 0 && point.y < height, "inside the \(width)×\(height) window: \(point)")
                // Nobody stands in front of it.
                for avatar in try await page.entities() where avatar.kind == 1 {
                    guard let other = try await page.screenPosition(avatar.id) else { continue }
                    #expect(hypot(other.x - point.x, other.y - point.y) > 60, "\(avatar.name) at \(other) is far from the box at \(point) on screen")
                }
                try await page.driver.click(atX: Int(point.x.rounded()), y: Int(point.y.rounded()))
                let greeting = try await page.waitFor("the greeting in #chat-log") {
                    try await page.chatLines().first { $0.speaker == "Greeter" }
                }
                #expect(greeting.text == "Greeter: Hello, \(Self.viewerName)")
                #expect(greeting.type == "say" && greeting.channel == "0" && greeting.foreign == 0)
                #expect(try await page.attribute("#view", "data-touched") == "Greeter")
                try await page.screenshot("touch")

                // "/7 text" in the chat input speaks on channel 7, where a script listens.
                try await bot.send(.createObject(CreateObject(
                    requestID: 3, shape: .sphere, position: Vector3(me.x + 7, me.y - 6, ground + 0.5), scale: Vector3(1, 1, 1), name: "Listener")))
                try await bot.waitFor("the sphere is made") { $0.results.contains { $0.requestID == 3 } || $0.errors.contains { $0.requestID == 3 } }
                let sphere = try #require(bot.mirror.results.first { $0.requestID == 3 }, "\(bot.mirror.errors)")
                let heard = bot.mirror.chat.count
                try await bot.addScript(to: sphere.localID, name: "listen", source: Self.listener)
                _ = try await bot.waitForChat(from: "Listener", after: heard) { $0.text == "ready" }
                // The words come back as chat and as the sphere's floating text, markup and all,
                // as characters (the screenshot shows them over the sphere).
                let words = "open <b>sesame</b> <img src=x onerror=alert(1)>"
                try await page.driver.sendKeys(page.element("#chat-input"), "/7 \(words)" + WebDriver.Key.enter)
                let answer = try await page.waitFor("the listener's answer in #chat-log") {
                    try await page.chatLines().first { $0.speaker == "Listener" && $0.text != "Listener: ready" }
                }
                #expect(answer == .init(speaker: "Listener", type: "say", channel: "0", text: "Listener: heard 7 \(words) from \(Self.viewerName)", foreign: 0))
                #expect(try await page.driver.execute("return document.querySelectorAll('img, b').length;") == 0, "no element made of the words")
                // A few frames drawn since, for the screenshot.
                let frames = try #require(try await page.viewFigure("frames"))
                try await page.waitFor("three more frames") { (try await page.viewFigure("frames") ?? 0) >= frames + 3 }
                try await page.screenshot("floating-text")
            }
        }
    }

    @Test("a physical crate falls and, pushed by a bot, slides; the page draws it at rest where the server has it")
    func physicalCrate() async throws {
        try await Self.withGrid(bots: ["Bot One"], physics: true) { grid, _, viewer, clients in
            let bot = clients[0]
            try await Self.withPage(grid, "physics") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                // A 0.8 m crate dropped ahead-right of the avatar settles on the ground (21 m).
                let me = try #require(try await Self.position(of: viewer, in: "West", of: grid))
                try await bot.send(.createObject(CreateObject(
                    requestID: 1, shape: .box, position: Vector3(me.x + 6, me.y - 3, 22.4), scale: Vector3(0.8, 0.8, 0.8), name: "Crate", physical: true)))
                let resting = try await PhysicsGridTests.waitFor("Crate", in: "West", of: grid, "falls and comes to rest") {
                    abs($0.position.z - 21.4) < 0.05 && $0.velocity.length < 0.05
                }
                func drawn() async throws -> [Double]? {
                    let point = try await page.driver.execute("""
                        const session = window.tessera.session;
                        const crate = session.entities().find(e => e.name === 'Crate');
                        return crate ? crate.renderPosition(performance.now()) : null;
                        """)
                    return point.array?.compactMap(\.number)
                }
                func near(_ a: [Double], _ b: Vector3) -> Bool {
                    a.count == 3 && abs(a[0] - Double(b.x)) < 0.2 && abs(a[1] - Double(b.y)) < 0.2 && abs(a[2] - Double(b.z)) < 0.2
                }
                try await page.waitFor("the page draws it where it rests") { try await drawn().map { near($0, resting.position) } ?? false }

                // Pushed south-east, a little up, clear of everyone: it slides on, and the page
                // follows it to where it stops.
                try await bot.send(.pushObject(PushObject(requestID: 2, localID: resting.localID, impulse: Vector3(51.2 * 4, -51.2 * 3, 51.2 * 2))))
                try await bot.waitFor("the push is accepted") { $0.results.contains { $0.requestID == 2 && $0.outcome == .moved } }
                let moved = try await PhysicsGridTests.waitFor("Crate", in: "West", of: grid, "slides and stops") {
                    $0.position.x > resting.position.x + 1 && $0.velocity.length < 0.05
                }
                try await page.waitFor("the page draws it where it stopped") { try await drawn().map { near($0, moved.position) } ?? false }
                try await page.screenshot("physics")
            }
        }
    }

    @Test("the HUD's figures are numbers in range and the mini-map shows both regions, the own one marked, and a dot per avatar")
    func figuresAndMap() async throws {
        try await Self.withGrid(bots: ["Bot One"]) { grid, _, _, _ in
            try await Self.withPage(grid, "figures") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                try await page.waitFor("#view[data-avatars] is 2") { try await page.viewFigure("avatars") == 2 }
                // Ping and updates need a second or two of the session.
                try await page.waitFor("a ping is measured") { Self.numbers(in: try await page.textContent("#hud-ping")).count == 1 }
                for id in ["hud-fps", "hud-dilation", "hud-ping", "hud-ups"] {
                    let text = try await page.textContent("#\(id)")
                    #expect(Self.numbers(in: text).count == 1, "#\(id) holds one number: \"\(text)\"")
                }
                let dilation = try await page.textContent("#hud-dilation")
                #expect(dilation.wholeMatch(of: /[01]\.\d\d/) != nil, "#hud-dilation as 0.00–1.00: \"\(dilation)\"")
                #expect((0...1).contains(Self.numbers(in: dilation).first ?? -1))
                #expect((Self.numbers(in: try await page.textContent("#hud-fps")).first ?? 0) > 0, "frames are drawn")
                #expect((Self.numbers(in: try await page.textContent("#hud-ping")).first ?? -1) >= 0)
                let position = try await page.hudPosition()
                #expect(position.count == 3 && abs(position[0] - 128) <= 3.5 && abs(position[1] - 128) <= 3.5, "spawned by the centre: \(position)")
                #expect(try await page.textContent("#hud-region") == "West")

                let squares = try await page.driver.findAll("#minimap rect.map-region")
                #expect(squares.count == 2)
                try await page.waitFor("a dot per avatar") { try await page.driver.findAll("#minimap circle.map-dot").count == 2 }
                #expect(try await page.driver.findAll("#minimap circle.map-dot.self").count == 1)
                // West lies left of East on the map, at the same height.
                let west = try await page.driver.rect(page.element("#minimap rect.map-region[data-name=\"West\"]"))
                let east = try await page.driver.rect(page.element("#minimap rect.map-region[data-name=\"East\"]"))
                #expect(west.x < east.x && abs(west.y - east.y) < 1 && abs(west.width - east.width) < 1)
                try await page.screenshot("figures")
            }
        }
    }

    @Test("#token=…&name=… logs in with a session token: the page enters the world and the token's older connection is replaced; Log out revokes it")
    func tokenLogin() async throws {
        try await Self.withGrid { grid, operations, viewer, _ in
            let first = try await ScenarioClient.connect(grid.url)
            let welcome = try await first.login(Self.viewerName, password: Self.password)
            let name = Self.viewerName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let token = welcome.sessionToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            try await Self.withPage(grid, "token", fragment: "#token=\(token)&name=\(name)") { page in
                try await page.waitForState("world")
                try await page.waitFor("the own avatar is drawn") { (try await page.entities()).contains { $0.name == Self.viewerName } }
                try await first.waitForClose()
                #expect(first.closeCode == 4000 + Int(ErrorCode.loggedInElsewhere.rawValue))
                try await Eventually.until("the viewer is root in West") { Self.roots(of: viewer, in: grid) == ["West"] }
                #expect(try await page.textContent("#hud-region") == "West")

                // Log out: the form comes back, the avatar leaves, the token is revoked.
                try await page.driver.click(page.element("#logout"))
                try await page.waitForState("closed")
                try await Eventually.until("the avatar has left") { Self.roots(of: viewer, in: grid).isEmpty }
                try await Eventually.until("the token is revoked") { (try? await operations.sessions.validate(welcome.sessionToken)) == nil }
                #expect(try await page.driver.isDisplayed(page.element("#login")))
            }
            await first.close()
        }
    }

    @Test("a second login elsewhere closes the page's session: the form comes back with the reason")
    func loggedInElsewhere() async throws {
        try await Self.withGrid { grid, _, viewer, _ in
            try await Self.withPage(grid, "elsewhere") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                let other = try await ScenarioClient.connect(grid.url)
                try await other.login(Self.viewerName, password: Self.password)
                try await page.waitForState("closed")
                #expect(try await page.textContent("#login-error") == "You logged in again somewhere else, so this session ended.")
                #expect(try await page.driver.isDisplayed(page.element("#login")), "the form is shown again")
                #expect(Self.roots(of: viewer, in: grid) == ["West"], "the other connection holds the avatar")
                try await page.screenshot("closed")
                await other.close()
            }
        }
    }

    @Test("the start region field logs in to that region")
    func startRegion() async throws {
        try await Self.withGrid { grid, _, viewer, _ in
            try await Self.withPage(grid, "start-region") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password, region: "East")
                #expect(Self.roots(of: viewer, in: grid) == ["East"])
                #expect(try await page.textContent("#hud-region") == "East")
                #expect(try await page.attribute("#view", "data-region") == "East")
            }
        }
    }

    @Test("keys move the avatar as the server sees it: D and A turn while W walks, F and Space fly up, C down; typing in the chat moves nothing")
    func keysMoveTheAvatar() async throws {
        try await Self.withGrid { grid, _, viewer, _ in
            try await Self.withPage(grid, "keys") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                func position() async throws -> Vector3 { try #require(try await Self.position(of: viewer, in: "West", of: grid)) }
                let start = try await position()

                // Keys typed into the chat input are text, not movement; the line is sent after
                // them on the same connection, so once it is back any movement would have begun.
                let input = try await page.element("#chat-input")
                try await page.driver.sendKeys(input, "wasd and arrows " + WebDriver.Key.arrowUp + WebDriver.Key.arrowLeft + WebDriver.Key.enter)
                try await page.waitFor("the own line is back") { try await page.chatLines().contains { $0.speaker == Self.viewerName } }
                let typed = try await position()
                #expect(abs(typed.x - start.x) < 0.01 && abs(typed.y - start.y) < 0.01, "typing moved nothing: \(start) → \(typed)")
                #expect(try await page.textContent("#hud-mode") == "standing")

                // A click on the sky leaves the input; then W with D held walks a circle to the
                // right (first south of east), and with A a circle to the left: from its
                // southernmost point it comes back north.
                try await page.driver.click(atX: 640, y: 60)
                try await page.driver.keyDown("d")
                try await page.driver.keyDown("w")
                try await page.waitFor("walks to the right of east") { try await position().y < typed.y - 0.5 }
                try await page.waitFor("the figures say walking") { try await page.textContent("#hud-mode") == "walking" }
                try await page.driver.keyUp("d")
                try await page.driver.keyDown("a")
                var southernmost = Float.infinity
                try await page.waitFor("turns to the left, back north") {
                    let y = try await position().y
                    southernmost = min(southernmost, y)
                    return y > southernmost + 0.5
                }
                try await page.driver.keyUp("a")
                try await page.driver.keyUp("w")

                // Fly: F, then Space rises and C sinks.
                try await page.driver.press("f")
                let ground = try await position()
                try await page.driver.keyDown(WebDriver.Key.space)
                let high = try await page.waitFor("rises") { () -> Vector3? in
                    let now = try await position()
                    return now.z > ground.z + 4 ? now : nil
                }
                try await page.waitFor("the figures say flying") { try await page.textContent("#hud-mode") == "flying" }
                try await page.driver.keyUp(WebDriver.Key.space)
                try await page.driver.keyDown("c")
                try await page.waitFor("sinks") { try await position().z < high.z - 1 }
                try await page.driver.keyUp("c")
                try await page.screenshot("keys")
            }
        }
    }

    @Test("a mouse drag orbits the camera and the wheel zooms it; neither moves the avatar")
    func mouseCamera() async throws {
        try await Self.withGrid(bots: ["Bot One"]) { grid, _, viewer, _ in
            try await Self.withPage(grid, "mouse") { page in
                try await page.enterWorld(Self.viewerName, password: Self.password)
                let start = try #require(try await Self.position(of: viewer, in: "West", of: grid))
                let entities = try await page.entities()
                let me = try #require(entities.first { $0.name == Self.viewerName }).id
                let bot = try #require(entities.first { $0.name == "Bot One" }).id
                func apart() async throws -> Double? {
                    guard let a = try await page.screenPosition(me), let b = try await page.screenPosition(bot) else { return nil }
                    return hypot(a.x - b.x, a.y - b.y)
                }
                let before = try await page.waitFor("both avatars on screen") { try await apart() }
                let botBefore = try #require(try await page.screenPosition(bot))

                // Zooming out brings them closer together on screen.
                try await page.driver.wheel(atX: 640, y: 300, deltaY: 600)
                let zoomed = try await page.waitFor("the camera zooms out") { () -> Double? in
                    guard let now = try await apart(), now < before * 0.8 else { return nil }
                    return now
                }
                #expect(zoomed < before)

                // A drag across the sky turns the camera round the avatar: the bot moves on screen
                // while the own avatar stays where the camera looks.
                let meBefore = try #require(try await page.screenPosition(me))
                try await page.driver.drag(from: (900, 80), to: (700, 80), duration: .milliseconds(400))
                try await page.waitFor("the view turns") { () -> Bool in
                    guard let now = try await page.screenPosition(bot) else { return true }
                    return hypot(now.x - botBefore.x, now.y - botBefore.y) > 20
                }
                let meAfter = try #require(try await page.screenPosition(me))
                #expect(hypot(meAfter.x - meBefore.x, meAfter.y - meBefore.y) < 60, "the camera still looks at the avatar: \(meBefore) → \(meAfter)")
                let after = try #require(try await Self.position(of: viewer, in: "West", of: grid))
                #expect(abs(after.x - start.x) < 0.01 && abs(after.y - start.y) < 0.01, "the mouse moved nothing: \(start) → \(after)")
                #expect(try await page.attribute("#view", "data-touched") == nil, "a drag touches nothing")
                try await page.screenshot("mouse")
            }
        }
    }

    @Test("/viewer/ serves the page under its security policy; /viewer/three/ serves only three.js's build/ and examples/jsm/")
    func serving() async throws {
        try await Self.withGrid { grid, _, _, _ in
            let base = "http://127.0.0.1:\(try Self.port(grid))"
            func get(_ path: String) async throws -> (status: Int, type: String?, csp: String?, body: Data) {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + path), timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 16 << 20)
                return (Int(response.status.code), response.headers.first(name: "Content-Type"), response.headers.first(name: "Content-Security-Policy"), Data(body.readableBytesView))
            }
            let page = try await get("/viewer/")
            #expect(page.status == 200 && page.type?.hasPrefix("text/html") == true)
            #expect(page.csp == """
                default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; \
                form-action 'none'; frame-ancestors 'none'
                """)
            let html = String(decoding: page.body, as: UTF8.self)
            for id in ["login", "login-name", "login-password", "login-region", "login-submit", "login-error", "hud", "view", "chat-log", "chat-input", "minimap"] {
                #expect(html.contains("id=\"\(id)\""), "index.html has #\(id)")
            }
            #expect(!html.contains("style=\""), "no inline styles (the policy refuses them)")

            let three = "/usr/share/javascript/three"
            let module = try await get("/viewer/three/build/three.module.js")
            #expect(module.status == 200 && module.type?.contains("javascript") == true)
            #expect(module.body == FileManager.default.contents(atPath: "\(three)/build/three.module.js"), "the installed file, as it is")
            let orbit = try await get("/viewer/three/examples/jsm/controls/OrbitControls.js")
            #expect(orbit.status == 200 && orbit.body == FileManager.default.contents(atPath: "\(three)/examples/jsm/controls/OrbitControls.js"))

            // Files outside build/ and examples/jsm/, and names that are not there: 404.
            #expect(FileManager.default.fileExists(atPath: "\(three)/three.min.js"), "a file outside the allowed folders exists")
            #expect(FileManager.default.fileExists(atPath: "\(three)/examples/js/controls/OrbitControls.js"))
            for path in [
                "/viewer/three/three.min.js", "/viewer/three/examples/js/controls/OrbitControls.js", "/viewer/three/examples/main.css",
                "/viewer/three/build/", "/viewer/three/build/nothing.js", "/viewer/no-such-file.js",
            ] {
                let answer = try await get(path)
                #expect(answer.status == 404, "\(path) answered \(answer.status)")
            }
            // Escapes (encoded or not) and a NUL in the name: refused, no file served.
            for path in [
                "/viewer/three/build/%2e%2e/three.min.js", "/viewer/three/build/..%2fthree.min.js",
                "/viewer/three/build/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/viewer/three/examples/jsm/%2e%2e/%2e%2e/three.min.js",
                "/viewer/three/build/three.module.js%00.png", "/viewer/index.html%00.css", "/viewer/..%2f..%2fPackage.swift",
            ] {
                let answer = try await get(path)
                #expect([400, 404].contains(answer.status), "\(path) answered \(answer.status) (\(answer.type ?? "no type"), \(answer.body.count) bytes)")
            }
            // Dot segments sent as they are, not normalized by a client.
            for path in ["/viewer/three/build/../three.min.js", "/viewer/three/build/../../../../../../etc/passwd", "/viewer/three/examples/jsm/../../three.min.js"] {
                let socket = try RawClientSocket(port: try Self.port(grid))
                try socket.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                let status = String(decoding: try await socket.read(12), as: UTF8.self)
                #expect(["HTTP/1.1 400", "HTTP/1.1 404"].contains(status), "\(path) answered \(status)")
            }
        }
    }
}

extension ScenarioClient {
    func shout(_ text: String) async throws {
        try await say(text, type: .shout)
    }
}
