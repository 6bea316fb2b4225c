import AsyncHTTPClient
import Foundation
import NIOCore
import TesseraLLUDP

/// One region's capabilities as a bot uses them: the seed capability asked for
/// `EventQueueGet`, then that long poll, each answered batch handed to `deliver` in order.
/// A 502 or 504 (the hold ran out) polls again; 404 (the queue was closed) ends the poll
/// quietly; anything else is reported through `fail` and ends it.
struct LLUDPEventQueue: Sendable {
    static let maxBodyBytes = 1 << 20
    /// A poll is held by the server for a while (`event_queue_hold_seconds`); this is the most
    /// the bot waits for one answer.
    static let pollTimeout: TimeAmount = .seconds(90)

    let seedCapability: String
    let http: HTTPClient

    func run(deliver: @Sendable ([LLSD], Int) -> Void, fail: @Sendable (String) -> Void) async {
        let url: String
        do {
            url = try await eventQueueURL()
        } catch {
            // Cancelled: the bot left the region or replaced its circuit there; not a failure.
            if Task.isCancelled { return }
            return fail("seed capability: \(error)")
        }
        var ack: LLSD = .undefined
        while !Task.isCancelled {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/llsd+xml")
            request.body = .bytes(ByteBuffer(string: LLSDXML.encode(.map(["ack": ack, "done": .boolean(false)]))))
            do {
                let response = try await http.execute(request, timeout: Self.pollTimeout)
                let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                switch response.status.code {
                case 200:
                    let answer = try LLSDXML.decode(Array(buffer: body), maxDepth: 32, maxBytes: Self.maxBodyBytes)
                    guard let events = answer["events"]?.arrayValue, let id = answer["id"], id.integerValue != nil else {
                        return fail("EventQueueGet answered without events and an integer id")
                    }
                    ack = id
                    deliver(events, body.readableBytes)
                case 502, 504:
                    continue
                case 404:
                    return
                default:
                    return fail("EventQueueGet answered HTTP \(response.status.code)")
                }
            } catch {
                if Task.isCancelled { return }
                return fail("EventQueueGet: \(error)")
            }
        }
    }

    /// Posts the capability names the bot wants and reads `EventQueueGet` from the answer.
    private func eventQueueURL() async throws -> String {
        var request = HTTPClientRequest(url: seedCapability)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/llsd+xml")
        request.body = .bytes(ByteBuffer(string: LLSDXML.encode(.array([.string("EventQueueGet")]))))
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: Self.maxBodyBytes)
        guard response.status == .ok else { throw LLUDPLoginFailure(description: "HTTP \(response.status.code)") }
        let caps = try LLSDXML.decode(Array(buffer: body), maxDepth: 8, maxBytes: Self.maxBodyBytes)
        guard let url = caps["EventQueueGet"]?.stringValue else { throw LLUDPLoginFailure(description: "no EventQueueGet in the seed's answer") }
        return url
    }
}

/// The event-queue messages a bot acts on, read from their LLSD form.
enum LLUDPEvent: Sendable {
    /// CrossedRegion or TeleportFinish: the new root region's endpoint, handle and seed.
    case moved(crossing: Bool, ip: String, port: Int, handle: UInt64, seed: String)
    case teleportFailed(String)
    /// Anything else (EnableSimulator, EstablishAgentCommunication, …): the bot does not open
    /// neighbour circuits.
    case other(String)

    /// One event; a known message with a missing or wrongly typed field throws.
    init(_ event: LLSD) throws {
        guard let name = event["message"]?.stringValue else { throw LLUDPLoginFailure(description: "an event without a message name") }
        let body = event["body"]
        func block(_ name: String) throws -> LLSD {
            guard let first = body?[name]?.arrayValue?.first else { throw LLUDPLoginFailure(description: "\(name) without block \(name)") }
            return first
        }
        func endpoint(_ data: LLSD, crossing: Bool) throws -> LLUDPEvent {
            guard case .binary(let ip)? = data["SimIP"], ip.count == 4,
                let port = data["SimPort"]?.integerValue, (1...65535).contains(port),
                case .binary(let handleBytes)? = data["RegionHandle"], handleBytes.count == 8,
                let seed = data["SeedCapability"]?.stringValue
            else { throw LLUDPLoginFailure(description: "\(name) with a missing or mistyped SimIP, SimPort, RegionHandle or SeedCapability") }
            let handle = handleBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return .moved(crossing: crossing, ip: ip.map(String.init).joined(separator: "."), port: Int(port), handle: handle, seed: seed)
        }
        switch name {
        case "CrossedRegion":
            self = try endpoint(try block("RegionData"), crossing: true)
        case "TeleportFinish":
            self = try endpoint(try block("Info"), crossing: false)
        case "TeleportFailed":
            self = .teleportFailed((try? block("Info"))?["Reason"]?.stringValue ?? "")
        default:
            self = .other(name)
        }
    }
}
