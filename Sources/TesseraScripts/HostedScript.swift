import Foundation
import TesseraLSL
import TesseraWire
import TesseraWorld

/// A listen of `llListen`.
struct ScriptListen: Hashable, Sendable {
    static let maxPerScript = 65

    var channel: Int32
    /// Empty: any speaker name.
    var name: String
    /// Lowercased; empty: any speaker.
    var key: String
    /// Empty: any message.
    var message: String
    var active: Bool

    func hears(_ chat: ChatHeard, speakerKey: String) -> Bool {
        active && channel == chat.channel && (name.isEmpty || name == chat.speakerName)
            && (key.isEmpty || key == speakerKey) && (message.isEmpty || message == chat.text)
    }
}

/// A repeating sweep of `llSensorRepeat`.
struct SensorRepeat: Hashable, Sendable {
    var name: String
    var key: UUID?
    var type: UInt8
    var range: Float
    var arc: Float
    /// Seconds between sweeps.
    var period: Double
    /// Script time of the next sweep.
    var nextDue: Double
}

/// One script the engine hosts: its VM copy and what the host keeps for it.
final class HostedScript {
    let key: ScriptKey
    var instance: ScriptInstance
    /// Nil when the program did not compile (the script stays stopped).
    var vm: LSLScript?
    /// False when the owner stopped it.
    var running: Bool
    /// Engine time minus script time: script time = now - base.
    var base: Double = 0
    /// Engine time from which the script has work (0: at once; infinity: when an event comes).
    var wakeAt: Double = 0
    /// An event came from the region since its last slice: it goes first in the next run.
    var eventArrived = false
    var listens: [Int32: ScriptListen] = [:]
    var nextListenHandle: Int32 = 1
    /// The channel set last sent as `.listenChannels`.
    var sentChannels: [Int32] = []
    var sensorRepeat: SensorRepeat?
    /// Chat token bucket, refilled in script time.
    var chatTokens: Double
    var chatRefilled: Double = 0
    /// Script time of the last rate-limit warning to the owner (-1: none yet).
    var chatWarned: Double = -1
    var chatDroppedSinceWarning: Int = 0
    /// The script ran since its last checkpoint.
    var dirty = false
    /// Engine time of the next checkpoint check.
    var nextCheckpoint: Double = 0
    /// Decayed microseconds of run time (Top Scripts) and when it was last decayed.
    var load: Double = 0
    var loadAt: Double = 0
    /// The run-time error was reported to the owner already.
    var reportedFailure = false

    init(instance: ScriptInstance, chatBurst: Double) {
        key = instance.key
        self.instance = instance
        running = instance.running
        chatTokens = chatBurst
    }

    func scriptTime(_ now: Double) -> Double { now - base }

    /// Ready to run a slice at engine time `now`.
    func isRunnable(_ now: Double) -> Bool {
        running && vm != nil && wakeAt <= now
    }

    /// The channels of its active listens, sorted and unique.
    var channels: [Int32] {
        Array(Set(listens.values.filter(\.active).map(\.channel))).sorted()
    }

    /// Adds run time to the decayed load (time constant `ScriptEngine.loadSeconds`).
    func charge(micros: Double, now: Double) {
        decay(to: now)
        load += micros
    }

    func decay(to now: Double) {
        if now > loadAt {
            load *= exp(-(now - loadAt) / RegionScripts.loadSeconds)
            loadAt = now
        }
    }

    /// Microseconds per second, averaged over the last few seconds.
    func recentMicrosPerSecond(_ now: Double) -> Double {
        decay(to: now)
        return load / RegionScripts.loadSeconds
    }
}
