import Testing
@testable import TesseraLSL

@Suite struct LexerTests {
    private func kinds(_ source: String) -> [Token.Kind] {
        let (tokens, diagnostics) = Lexer.tokenize(source, file: "t.lsl")
        #expect(diagnostics.isEmpty)
        return tokens.map(\.kind)
    }

    @Test func integersDecimalAndHex() {
        #expect(kinds("0 42 0x1F 0XfF 0xFFFFFFFF 2147483648") == [
            .integer(0), .integer(42), .integer(31), .integer(255), .integer(-1), .integer(Int32.min), .endOfFile,
        ])
    }

    @Test func floatsInEveryForm() {
        #expect(kinds("1. .5 1e3 1.5e-3 2.5f 3E+2 7.F") == [
            .float(1), .float(0.5), .float(1000), .float(0.0015), .float(2.5), .float(300), .float(7), .endOfFile,
        ])
    }

    @Test func anEWithoutDigitsIsNotAnExponent() {
        #expect(kinds("1e") == [.integer(1), .identifier("e"), .endOfFile])
    }

    @Test func stringEscapes() {
        #expect(kinds(#""a\nb" "tab\there" "q\"q" "back\\slash" "\z""#) == [
            .string("a\nb"), .string("tab    here"), .string("q\"q"), .string("back\\slash"), .string("z"), .endOfFile,
        ])
    }

    @Test func keywordsAndIdentifiers() {
        #expect(kinds("integer quaternion state default print jump @ done event llSay") == [
            .keyword(.integer), .keyword(.quaternion), .keyword(.state), .keyword(.default), .keyword(.print),
            .keyword(.jump), .punctuation(.at), .identifier("done"), .identifier("event"), .identifier("llSay"), .endOfFile,
        ])
    }

    @Test func longestOperatorWins() {
        let spelled = kinds("<<= >>= << >> <= >= < > ++ + -- - -= += *= /= %= && || == != & | ^ ~ ! = . , ; @")
            .compactMap { kind -> String? in
                if case .punctuation(let p) = kind { return p.rawValue }
                return nil
            }
        #expect(spelled.joined(separator: " ") == "<<= >>= << >> <= >= < > ++ + -- - -= += *= /= %= && || == != & | ^ ~ ! = . , ; @")
    }

    @Test func vectorCloseBesideShift() {
        #expect(kinds("<1,2,3>>>1") == [
            .punctuation(.less), .integer(1), .punctuation(.comma), .integer(2), .punctuation(.comma), .integer(3),
            .punctuation(.shiftRight), .punctuation(.greater), .integer(1), .endOfFile,
        ])
    }

    @Test func commentsAreSkippedAndPositionsCountLinesAndCharacters() {
        let source = "// line\n  x /* a\nb */ é=1;\n\t\"s\""
        let (tokens, diagnostics) = Lexer.tokenize(source, file: "p.lsl")
        #expect(diagnostics.isEmpty)
        let positions = tokens.map { "\($0.text)@\($0.location.line):\($0.location.column)" }
        #expect(positions == ["x@2:3", "é@3:6", "=@3:7", "1@3:8", ";@3:9", "\"s\"@4:2", "@4:5"])
        #expect(tokens[0].location.description == "p.lsl:2:3")
    }

    @Test func errorsAreReportedWithPositions() {
        let (_, diagnostics) = Lexer.tokenize("x $ y\n\"open", file: "e.lsl")
        #expect(diagnostics.map { "\($0.location): \($0.message)" } == [
            "e.lsl:1:3: unexpected character '$'",
            "e.lsl:2:1: unterminated string literal",
        ])
        let (_, comment) = Lexer.tokenize("a /* never closed", file: "c.lsl")
        #expect(comment.map { "\($0.location): \($0.message)" } == ["c.lsl:1:3: unterminated comment"])
    }
}
