import Testing
@testable import TesseraLSL

/// Detected records ride with their events through the queue and the captured state.
@Suite struct DetectedTests {
    final class DetectingHost: LSLHost {
        var seen: [String] = []

        func call(_ function: LSLFunctionDefinition, _ arguments: [LSLValue], script: LSLScript) throws(LSLRuntimeError) -> LSLValue {
            if function.name == "llOwnerSay", case .string(let text) = arguments.first {
                seen.append(text + " " + script.currentDetected.map { "\($0.name)/\($0.touchFace)" }.joined(separator: ","))
            }
            return function.returnType.map { LSLValue.zero(of: $0) } ?? .integer(0)
        }

        func print(_ text: String, script: LSLScript) {}
        func stateChanged(to state: String, script: LSLScript) {}
        func reset(script: LSLScript) {}
    }

    static let source = """
        default {
            touch_start(integer n) { llOwnerSay("before"); llSleep(1.0); llOwnerSay("after"); }
            timer() { llOwnerSay("timer"); llSetTimerEvent(0); }
        }
        """

    static func alice(face: Int32) -> LSLDetected {
        LSLDetected(key: "a11ce000-0000-4000-8000-000000000001", name: "Alice", owner: "a11ce000-0000-4000-8000-000000000001", type: 1,
                    position: LSLVector(1, 2, 3), rotation: LSLRotation(0, 0, 0.6, 0.8), velocity: LSLVector(0, 0, -1), touchFace: face)
    }

    @Test func queuedAndCurrentDetectedRecordsSurviveACapture() throws {
        let program = try VMRun.program(Self.source)
        let host = DetectingHost()
        let script = LSLScript(program: program, host: host)
        #expect(script.post(LSLEvent("touch_start", [.integer(1)], detected: [Self.alice(face: 2)])))
        #expect(script.run(now: 0, budget: 1000) == .waiting(until: 1))
        // A second touch with other records waits in the queue during the sleep.
        let bob = LSLDetected(key: "b0b00000-0000-4000-8000-000000000002", name: "Bob", owner: "b0b00000-0000-4000-8000-000000000002", type: 1, position: .zero)
        #expect(script.post(LSLEvent("touch_start", [.integer(2)], detected: [Self.alice(face: 5), bob])))
        let bytes = script.capture()

        let other = DetectingHost()
        let restored = try LSLScript(restoring: bytes, program: program, host: other)
        #expect(restored.currentDetected == [Self.alice(face: 2)])
        #expect(restored.capture() == bytes)
        #expect(restored.run(now: 1, budget: 1000) == .waiting(until: 2))
        #expect(restored.run(now: 2, budget: 1000) == .waiting(until: nil))
        #expect(other.seen == ["after Alice/2", "before Alice/5,Bob/-1", "after Alice/5,Bob/-1"])
        // An event that detects nothing has no records.
        #expect(restored.post(LSLEvent("timer")))
        _ = restored.run(now: 3, budget: 1000)
        #expect(other.seen.last == "timer ")
    }

    @Test func aVersionOneCaptureIsRefused() throws {
        let program = try VMRun.program(Self.source)
        var bytes = LSLScript(program: program, host: DetectingHost()).capture()
        bytes[4] = 1
        #expect(throws: LSLCaptureError("captured state version 1; this VM reads 2")) {
            _ = try LSLScript(restoring: bytes, program: program, host: DetectingHost())
        }
    }
}
