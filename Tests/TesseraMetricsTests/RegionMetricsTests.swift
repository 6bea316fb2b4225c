import Foundation
import NIOPosix
import Testing
import TesseraMetrics
import TesseraRegion
import TesseraWire
import TesseraWorld

/// A region runner stepped by hand records its frames, avatars and drops.
@Suite struct RegionMetricsTests {
    private struct DiscardingSink: RegionOutputSink {
        func deliver(_ output: RegionOutput) {}
    }

    @Test func framesAvatarsAndDropsReachTheRegistry() async throws {
        TesseraMetrics.bootstrap()
        let settings = RegionSettings(name: "Metrics Plaza", gridPosition: GridPosition(x: 4000, y: 4000)!)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let inbox = RegionInbox(capacity: 2)
        let runner = RegionRunner(settings: settings, loop: loop, clock: SystemFrameClock(), sink: DiscardingSink(), inbox: inbox)
        let agent = UUID()
        inbox.push(.managerConnected(1))
        inbox.push(.join(1, AgentJoin(region: settings.handle, agentID: agent, name: "Metered Avatar")))
        try await loop.submit { runner.runFrame() }.get()
        // Past the inbox's capacity of two commands between frames, three are dropped.
        for _ in 0..<5 {
            inbox.push(.command(1, AgentInput(region: settings.handle, agentID: agent, command: .move(MovementIntent(mode: .walk, heading: 0)))))
        }
        try await loop.submit { for _ in 0..<9 { runner.runFrame() } }.get()

        let text = TesseraMetrics.render().split(separator: "\n").map(String.init)
        #expect(text.contains(#"tessera_region_frame_seconds_count{region="Metrics Plaza"} 10"#))
        #expect(text.contains(#"tessera_region_root_avatars{region="Metrics Plaza"} 1.0"#))
        #expect(text.contains(#"tessera_region_objects{region="Metrics Plaza"} 0.0"#))
        #expect(text.contains(#"tessera_region_dropped_commands_total{region="Metrics Plaza"} 3"#))
        #expect(text.contains(#"tessera_handoffs_total{region="Metrics Plaza",outcome="committed"} 0"#))
        #expect(text.contains { $0.hasPrefix(#"tessera_region_time_dilation_ratio{region="Metrics Plaza"} "#) })
        #expect(text.contains("# TYPE tessera_region_frame_seconds histogram"))
    }
}
