import Testing
@testable import TesseraLSL

/// Calls a built-in of the library with a fixed random seed.
func lsl(_ name: String, _ arguments: LSLValue..., seed: UInt64 = 1) throws -> LSLValue {
    guard let function = LSLLibrary.functions[name] else {
        Issue.record("\(name) is not in the library")
        return .integer(0)
    }
    var context = LSLLibraryContext(random: LSLRandom(seed: seed))
    return try function(arguments, &context)
}

/// Shorthands for test values.
func s(_ text: String) -> LSLValue { .string(text) }
func i(_ value: Int32) -> LSLValue { .integer(value) }
func f(_ value: Float) -> LSLValue { .float(value) }
func k(_ text: String) -> LSLValue { .key(text) }
func v(_ x: Float, _ y: Float, _ z: Float) -> LSLValue { .vector(LSLVector(x, y, z)) }
func r(_ x: Float, _ y: Float, _ z: Float, _ s: Float) -> LSLValue { .rotation(LSLRotation(x, y, z, s)) }
func l(_ elements: LSLValue...) -> LSLValue { .list(elements) }

@Suite struct LibraryCoverageTests {
    /// Every function of the library exists in the definitions and, called with the zero
    /// values of its parameter types, answers with its definition's return type.
    @Test func everyFunctionMatchesItsDefinition() throws {
        for (name, function) in LSLLibrary.functions {
            guard let definition = LSLDefinitions.functions[name] else {
                Issue.record("\(name) is not in the definitions")
                continue
            }
            var context = LSLLibraryContext(random: LSLRandom(seed: 7))
            let result = try function(definition.parameters.map { LSLValue.zero(of: $0.type) }, &context)
            if let type = definition.returnType {
                #expect(result.type == type, "\(name) returned \(result.type), not \(type)")
            }
        }
    }

    /// The pure built-ins the issue names are all there.
    @Test func theLibraryIsComplete() {
        let expected = """
            llAbs llAcos llAngleBetween llAsin llAtan2 llAxes2Rot llAxisAngle2Rot llBase64ToInteger llBase64ToString
            llCSV2List llCeil llChar llComputeHash llCos llDeleteSubList llDeleteSubString llDumpList2String llEscapeURL
            llEuler2Rot llFabs llFloor llFrand llGenerateKey llGetListEntryType llGetListLength llGetSubString llHMAC
            llHash llInsertString llIntegerToBase64 llJson2List llJsonGetValue llJsonSetValue llJsonValueType
            llLinear2sRGB llList2CSV llList2Float llList2Integer llList2Json llList2Key llList2List llList2ListSlice
            llList2ListStrided llList2Rot llList2String llList2Vector llListFindList llListFindListNext
            llListFindStrided llListInsertList llListRandomize llListReplaceList llListSort llListSortStrided
            llListStatistics llLog llLog10 llMD5String llModPow llOrd llParseString2List llParseStringKeepNulls llPow
            llReplaceSubString llRot2Angle llRot2Axis llRot2Euler llRot2Fwd llRot2Left llRot2Up llRotBetween llRound
            llSHA1String llSHA256String llSin llSqrt llStringLength llStringToBase64 llStringTrim llSubStringIndex
            llTan llToLower llToUpper llUnescapeURL llVecDist llVecMag llVecNorm llXorBase64 llXorBase64Strings
            llXorBase64StringsCorrect llsRGB2Linear
            """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(Set(LSLLibrary.functions.keys) == Set(expected))
    }
}
