import Testing
import TesseraRegion
import TesseraWire
import TesseraWorld

/// A speaker at (30, 128) and listeners due east of it, just inside and just outside each
/// chat range, placed by flying and walking them there on the manual clock. Listeners
/// alternate between manager 1 and manager 2.
@Suite struct RegionChatTests {
    static let offsets: [Float] = [9.5, 10.5, 19.5, 20.5, 99.5, 100.5, 180]
    var harness = RegionHarness()
    let speaker: LocalID
    var listeners: [LocalID] = []
    var distances: [LocalID: Float] = [:]

    init() throws {
        speaker = try harness.add(agent(1), name: "Speaker")
        harness.step([.managerConnected(2)])
        harness.place(agent(1), atX: 30, y: 128)
        let origin = try #require(harness.position(agent(1)))
        distances[speaker] = 0
        for (index, offset) in Self.offsets.enumerated() {
            let manager = ManagerID(index % 2 + 1)
            let id = try harness.add(agent(UInt8(index + 2)), name: "L\(offset)", manager: manager, connect: false)
            harness.place(agent(UInt8(index + 2)), atX: 30 + offset, y: 128, manager: manager)
            listeners.append(id)
        }
        for (index, id) in listeners.enumerated() {
            let distance = try #require(harness.position(agent(UInt8(index + 2)))).distance(to: origin)
            try #require(abs(distance - Self.offsets[index]) < 0.1, "listener \(index) placed at \(distance) m")
            distances[id] = distance
        }
        harness.run(2)
    }

    /// Every chat delivery of one frame, from both managers' frames.
    private func deliveries(_ output: RegionOutput) -> [(ManagerID, ChatDelivery)] {
        [1, 2].flatMap { manager in (output.frame(for: manager)?.chat ?? []).map { (manager, $0) } }
    }

    private mutating func recipients(of type: ChatType, from agentNumber: UInt8 = 1, channel: Int32 = 0, text: String = "hi") -> Set<LocalID> {
        let output = harness.send(agent(agentNumber), .chat(type, channel: channel, text: text))
        return Set(deliveries(output).flatMap(\.1.recipients))
    }

    @Test(arguments: ChatType.allCases.filter(\.spokenByAvatars))
    mutating func publicChatReachesExactlyItsRange(type: ChatType) {
        let heard = recipients(of: type)
        let expected = Set(distances.filter { $0.value <= type.range }.keys)
        #expect(heard == expected)
        #expect(heard.contains(speaker), "the speaker hears itself")
        let byOffset: [ChatType: Set<Float>] = [.whisper: [9.5], .say: [9.5, 10.5, 19.5], .shout: [9.5, 10.5, 19.5, 20.5, 99.5]]
        let expectedListeners = Set(zip(Self.offsets, listeners).filter { byOffset[type]!.contains($0.0) }.map(\.1))
        #expect(heard == expectedListeners.union([speaker]))
    }

    @Test mutating func deliveryDescribesTheSpeaker() throws {
        let origin = try #require(harness.position(agent(1)))
        let output = harness.send(agent(1), .chat(.say, channel: 0, text: "Hello, région ☃"))
        let all = deliveries(output)
        try #require(!all.isEmpty)
        for (_, delivery) in all {
            #expect(delivery.speaker == speaker)
            #expect(delivery.speakerName == "Speaker")
            #expect(delivery.type == .say)
            #expect(delivery.channel == 0)
            #expect(delivery.text == "Hello, région ☃")
            #expect(delivery.position == PackedPosition(origin))
            #expect(delivery.recipients == delivery.recipients.sorted())
        }
    }

    @Test mutating func eachManagerGetsOnlyItsRecipients() throws {
        let output = harness.send(agent(1), .chat(.shout, channel: 0, text: "all"))
        let toOne = try #require(output.frame(for: 1)?.chat.first)
        let toTwo = try #require(output.frame(for: 2)?.chat.first)
        // Listeners at even indices are on manager 1 with the speaker, odd ones on manager 2.
        let managerOf = Dictionary(uniqueKeysWithValues: listeners.enumerated().map { ($1, ManagerID($0 % 2 + 1)) })
        #expect(toOne.recipients.allSatisfy { $0 == speaker || managerOf[$0] == 1 })
        #expect(toTwo.recipients.allSatisfy { managerOf[$0] == 2 })
        #expect(toOne.recipients.contains(speaker))
        #expect(!toTwo.recipients.isEmpty)
        #expect(Set(toOne.recipients).isDisjoint(with: toTwo.recipients))
    }

    @Test mutating func aLoneSpeakerHearsItself() {
        let farthest = UInt8(Self.offsets.count + 1)  // the listener 180 m out
        #expect(recipients(of: .whisper, from: farthest) == [listeners.last!])
    }

    @Test mutating func nonZeroChannelsReachNoAvatar() {
        for channel: Int32 in [1, -1, 42, ChatChannel.debugChannel] {
            for type in ChatType.allCases {
                let output = harness.send(agent(1), .chat(type, channel: channel, text: "for scripts"))
                #expect(deliveries(output).isEmpty, "channel \(channel)")
            }
        }
    }

    @Test mutating func emptyTextIsNotDelivered() {
        #expect(recipients(of: .shout, text: "").isEmpty)
    }

    @Test mutating func chatFromAnotherManagersAgentIsIgnored() {
        let output = harness.send(agent(1), .chat(.shout, channel: 0, text: "spoofed"), manager: 2)
        #expect(deliveries(output).isEmpty)
    }
}
