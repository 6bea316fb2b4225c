import Testing
@testable import TesseraLSL

@Suite struct DefinitionsTests {
    @Test func countsMatchTheYAML() {
        #expect(LSLDefinitions.constants.count == 1028)
        #expect(LSLDefinitions.events.count == 43)
        #expect(LSLDefinitions.functions.count == 526)
    }

    @Test func constantsHaveTypesAndValues() {
        #expect(LSLDefinitions.constants["ACTIVE"] == LSLConstant("ACTIVE", .integer, "0x2"))
        #expect(LSLDefinitions.constants["ZERO_ROTATION"] == LSLConstant("ZERO_ROTATION", .rotation, "<0.0, 0.0, 0.0, 1.0>"))
        #expect(LSLDefinitions.constants["PI"]?.type == .float)
        #expect(LSLDefinitions.constants["TRUE"]?.type == .integer)
    }

    @Test func functionsHaveSignaturesAndSleeps() throws {
        let say = try #require(LSLDefinitions.functions["llSay"])
        #expect(say.returnType == nil)
        #expect(say.parameters == [LSLParameter(.integer, "channel"), LSLParameter(.string, "msg")])
        #expect(say.id == 23)
        #expect(LSLDefinitions.functions["llAbs"]?.returnType == .integer)
        #expect(try #require(LSLDefinitions.functions["llSetPos"]).sleep == 0.2)
    }

    @Test func eventsHaveParameters() {
        #expect(LSLDefinitions.events["touch_start"]?.parameters.map(\.type) == [.integer])
        #expect(LSLDefinitions.events["listen"]?.parameters.map(\.type) == [.integer, .string, .key, .string])
    }

    @Test func everyTypeAndControlIsAKeyword() {
        let keywords = Set(Keyword.allCases.map(\.rawValue))
        #expect(LSLDefinitions.typeNames.isSubset(of: keywords))
        // `event` is listed among the controls but is no keyword of the language.
        #expect(LSLDefinitions.controls.subtracting(keywords) == ["event"])
    }
}
