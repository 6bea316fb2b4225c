import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/agents`, `/alerts`, region restarts and the live `/events` stream: the console's
/// actions on the running grid, all through `GridControl`.
extension AdminConsole {
    func addGridRoutes(to router: Router<ConsoleContext>) {
        let control = control
        router.get("/agents") { request, _ -> Page<AgentItem> in
            let limit = try Self.limit(request)
            let after = request.uri.queryParameters["cursor"].map(String.init)
            let search = request.uri.queryParameters["search"].map { String($0).lowercased() }
            var all = try await control.agents()
            if let search { all = all.filter { $0.name.lowercased().contains(search) } }
            if let region = request.uri.queryParameters["region"] { all = all.filter { $0.region.lowercased() == region.lowercased() } }
            let rest = after.map { cursor in all.filter { $0.name.lowercased() > cursor.lowercased() } } ?? all
            let items = Array(rest.prefix(limit))
            return Page(items: items, next: rest.count > limit ? items.last?.name : nil)
        }
        router.get("/agents/{name}") { _, context -> AgentItem in
            try await control.agent(named: try Self.pathName(context))
        }
        router.post("/agents/{name}/kick") { request, context -> ActionResult in
            let name = try Self.pathName(context)
            let body = try await Self.optionalBody(MessageBody.self, request, context)
            return try await control.kick(name, message: body?.message ?? "", by: context.identity)
        }
        router.post("/agents/{name}/teleport") { request, context -> ActionResult in
            let name = try Self.pathName(context)
            let body = try await Self.body(TeleportBody.self, request, context)
            return try await control.teleport(name, to: body, by: context.identity)
        }
        router.post("/alerts") { request, context -> AlertResult in
            try await control.alert(try await Self.body(AlertBody.self, request, context), by: context.identity)
        }
        router.post("/regions/{name}/restart") { request, context -> ActionResult in
            let name = try Self.pathName(context)
            let body = try await Self.optionalBody(MessageBody.self, request, context)
            return try await control.restart(name, message: body?.message ?? "", by: context.identity)
        }
        router.get("/events") { request, _ -> Response in
            let once = request.uri.queryParameters["once"] == "1"
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in try await self.stream(to: &writer, once: once) })
        }
    }

    /// Server-Sent Events: the recent feed, then each new event as `event` and each new look
    /// at the grid as `snapshot`; a comment every 15 s keeps proxies from closing it. With
    /// `once`, the recent feed and the current snapshot, then the end.
    private func stream(to writer: inout any ResponseBodyWriter, once: Bool) async throws {
        let events = control.events.watch()
        for event in control.events.recent { try await writer.write(Self.sseFrame("event", event)) }
        let (first, latest) = watch.current
        // Before the watcher's first look, look now: the first answer has the grid in it.
        let snapshot: ConsoleWatch.Snapshot
        if let latest { snapshot = latest } else {
            snapshot = ConsoleWatch.Snapshot(at: consoleDate(Date()), regions: try await control.regions(), agents: try await control.agents())
        }
        try await writer.write(Self.sseFrame("snapshot", snapshot))
        if once { return }
        let (output, sink) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(64))
        let watch = watch
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await event in events { sink.yield(Self.sseFrame("event", event)) }
            }
            tasks.addTask {
                var sent = first
                var quiet = Duration.zero
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(200))
                    quiet += .milliseconds(200)
                    let (serial, snapshot) = watch.current
                    if serial != sent, let snapshot {
                        sent = serial
                        quiet = .zero
                        sink.yield(Self.sseFrame("snapshot", snapshot))
                    } else if quiet >= .seconds(15) {
                        quiet = .zero
                        sink.yield(ByteBuffer(string: ": still here\n\n"))
                    }
                }
            }
            // Ends with an error when the client has gone; the group then stops both tasks.
            for await buffer in output { try await writer.write(buffer) }
            tasks.cancelAll()
        }
    }

    /// One Server-Sent Event: its name and its data as one line of JSON.
    static func sseFrame(_ name: String, _ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return ByteBuffer(string: "event: \(name)\ndata: \(json)\n\n")
    }

    /// The dashboard: plain files shipped with the package, no token needed to fetch them.
    func addDashboardRoutes(to router: Router<ConsoleContext>) {
        router.get("/") { _, _ in Response(status: .found, headers: [.location: "/dashboard/"]) }
        // The trie router treats "/dashboard/" as "/dashboard": one route serves both.
        router.get("/dashboard") { _, _ in try Self.dashboardFile("index.html") }
        router.get("/dashboard/{file}") { _, context in try Self.dashboardFile(try context.parameters.require("file")) }
    }

    static let dashboardTypes = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]

    static func dashboardFile(_ name: String) throws -> Response {
        let parts = name.split(separator: ".")
        guard parts.count == 2, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }),
            let type = dashboardTypes[String(parts[1])],
            let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "dashboard"),
            let data = try? Data(contentsOf: url)
        else { throw Problem(.notFound, "not-found", "No such file", detail: "the dashboard has no file \(name)") }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
