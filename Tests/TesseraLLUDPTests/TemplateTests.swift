import Foundation
import Testing
@testable import TesseraLLUDP

/// The reference files in the shared data directory beside the package (../shared/data/sl).
enum SLReferenceFiles {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/sl")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static let template: SLTemplate = {
        // A missing or unreadable file fails every test that uses it, with the reason.
        do {
            return try SLTemplate.parse(try text("message_template.msg"))
        } catch {
            fatalError("message_template.msg: \(error)")
        }
    }()
}

@Suite struct TemplateTests {
    @Test func theWholeTemplateParsesWithItsCounts() {
        let template = SLReferenceFiles.template
        #expect(template.version == "2.0")
        #expect(template.messages.count == 483)
        let byFrequency = Dictionary(grouping: template.messages, by: \.frequency).mapValues(\.count)
        #expect(byFrequency == [.high: 32, .medium: 17, .low: 431, .fixed: 3])
        #expect(template.messages.filter(\.zerocoded).count == 189)
        #expect(template.messages.filter(\.trusted).count == 218)
        #expect(template.messages.filter(\.deprecated).count == 5)
        #expect(template.messages.filter(\.udpDeprecated).count == 17)
        #expect(template.messages.filter(\.udpBlackListed).count == 4)
        #expect(template.messages.first?.name == "TestMessage")
        #expect(template.messages.last?.name == "GameControlInput")
    }

    @Test func knownMessagesHaveTheirNumbersAndBlocks() throws {
        let template = SLReferenceFiles.template
        let ack = try #require(template.message(named: "PacketAck"))
        #expect(ack.frequency == .fixed)
        #expect(ack.number == 0xFFFF_FFFB)
        #expect(!ack.trusted && !ack.zerocoded)
        #expect(ack.blocks == [SLBlockSpec(name: "Packets", quantity: .variable, fields: [SLFieldSpec(name: "ID", type: .u32)])])

        let close = try #require(template.message(named: "CloseCircuit"))
        #expect(close.number == 0xFFFF_FFFD && close.blocks.isEmpty)

        let agentUpdate = try #require(template.message(frequency: .high, number: 4))
        #expect(agentUpdate.name == "AgentUpdate")
        #expect(!agentUpdate.trusted && agentUpdate.zerocoded)
        #expect(agentUpdate.blocks.map(\.name) == ["AgentData"])
        #expect(agentUpdate.blocks[0].quantity == .single)
        #expect(agentUpdate.blocks[0].fields.map(\.name) == [
            "AgentID", "SessionID", "BodyRotation", "HeadRotation", "State", "CameraCenter", "CameraAtAxis",
            "CameraLeftAxis", "CameraUpAxis", "Far", "ControlFlags", "Flags",
        ])
        #expect(agentUpdate.blocks[0].fields.map(\.type) == [
            .uuid, .uuid, .quaternion, .quaternion, .u8, .vector3, .vector3, .vector3, .vector3, .f32, .u32, .u8,
        ])

        let objectUpdate = try #require(template.message(named: "ObjectUpdate"))
        #expect(objectUpdate.frequency == .high && objectUpdate.number == 12 && objectUpdate.trusted && objectUpdate.zerocoded)
        #expect(objectUpdate.blocks.map(\.name) == ["RegionData", "ObjectData"])
        #expect(objectUpdate.blocks[1].quantity == .variable)
        #expect(objectUpdate.blocks[1].fields.count == 46)
        #expect(objectUpdate.blocks[1].fields.first { $0.name == "TextColor" }?.type == .fixed(4))
        #expect(objectUpdate.blocks[1].fields.first { $0.name == "NameValue" }?.type == .variable(2))

        let chat = try #require(template.message(named: "ChatFromViewer"))
        #expect(chat.frequency == .low && chat.number == 80 && chat.zerocoded)
        #expect(chat.blocks[1].fields == [
            SLFieldSpec(name: "Message", type: .variable(2)), SLFieldSpec(name: "Type", type: .u8),
            SLFieldSpec(name: "Channel", type: .s32),
        ])

        let test = try #require(template.message(named: "TestMessage"))
        #expect(test.blocks[1].quantity == .multiple(4))
        #expect(template.message(named: "CrossedRegion")?.frequency == .medium)
        #expect(template.message(named: "CrossedRegion")?.number == 7)
        #expect(template.message(named: "CrossedRegion")?.udpBlackListed == true)
        #expect(template.message(named: "ImprovedTerseObjectUpdate")?.number == 15)
        #expect(template.message(named: "UseCircuitCode")?.number == 3)
        #expect(template.message(named: "RegionHandshake")?.number == 148)
    }

    @Test func malformedTemplatesNameTheLineAndTheProblem() {
        func failure(_ text: String) -> SLTemplateError? {
            do {
                _ = try SLTemplate.parse(text)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("version 3.0") == SLTemplateError(line: 1, reason: "version 3.0 is not supported (2.0 is)"))
        #expect(failure("version 2.0\n{\n Foo Sometimes 1 Trusted Unencoded\n}") ==
            SLTemplateError(line: 3, reason: "Foo: unknown frequency Sometimes (High, Medium, Low or Fixed)"))
        #expect(failure("version 2.0\n{ Foo High 255 Trusted Unencoded }") ==
            SLTemplateError(line: 2, reason: "Foo: High number 255 is outside 1...254"))
        #expect(failure("version 2.0\n{ Foo Low 1 Trusted Unencoded { B Single { F U128 } } }") ==
            SLTemplateError(line: 2, reason: "Foo.B.F: unknown type U128"))
        #expect(failure("version 2.0\n{ Foo Low 1 Trusted Unencoded }\n{ Bar Low 1 Trusted Unencoded }") ==
            SLTemplateError(line: 3, reason: "message Bar has the number Low 1 of Foo"))
        #expect(failure("version 2.0\n{ Foo Low 1 Trusted Unencoded { B Single // open\n") ==
            SLTemplateError(line: 2, reason: "the file ends where \"}\" was expected"))
        #expect(failure("version 2.0\n{ Foo Low 1 Trusted Unencoded { B Multiple 0 } }") ==
            SLTemplateError(line: 2, reason: "0 is not a valid number for the count of Foo.B (1...255)"))
    }

    @Test func messageXMLNamesTheEventQueueOnlyMessages() throws {
        let xml = try SLMessageXML.parse(try SLReferenceFiles.text("message.xml"))
        let eventQueue = xml.eventQueueOnly
        for name in ["EnableSimulator", "TeleportFinish", "CrossedRegion", "EstablishAgentCommunication", "TeleportFailed"] {
            #expect(eventQueue.contains(name), "\(name)")
        }
        for name in ["AgentUpdate", "PacketAck", "UseCircuitCode", "ObjectUpdate", "ChatFromViewer"] {
            #expect(!eventQueue.contains(name), "\(name)")
        }
        #expect(xml.flavors["AgentUpdate"] == "template")
        #expect(eventQueue.count == 38)
    }

    @Test func malformedMessageXMLIsAnError() {
        #expect(throws: SLMessageXMLError.self) { try SLMessageXML.parse("<llsd><map><key>messages</key>") }
        #expect(throws: SLMessageXMLError.self) { try SLMessageXML.parse("<llsd><map></array></llsd>") }
        #expect(throws: SLMessageXMLError.self) { try SLMessageXML.parse(String(repeating: "<a>", count: 100)) }
    }
}
