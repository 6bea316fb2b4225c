import Testing
@testable import TesseraLSL

/// Parses one expression and prints it fully parenthesised.
func grouped(_ source: String) throws -> String {
    let (tokens, diagnostics) = Lexer.tokenize(source, file: "e.lsl")
    #expect(diagnostics.isEmpty)
    var parser = Parser(tokens: tokens)
    let expression = try parser.parseExpression()
    #expect(parser.current.kind == .endOfFile, "trailing tokens after \(source)")
    return SyntaxPrinter.print(expression)
}

@Suite struct ExpressionParserTests {
    @Test(arguments: [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("a + b - c", "((a + b) - c)"),
        ("a * b / c % d", "(((a * b) / c) % d)"),
        ("1 << 2 + 3", "(1 << (2 + 3))"),
        ("a < b == c > d", "((a < b) == (c > d))"),
        ("a & b ^ c | d", "(((a & b) ^ c) | d)"),
        ("a == b & c", "((a == b) & c)"),
        ("a | b && c", "((a | b) && c)"),
        // && and || share one level, left to right, as in SL's compiler.
        ("a || b && c", "((a || b) && c)"),
        ("a && b || c", "((a && b) || c)"),
        ("-a * b", "((-a) * b)"),
        ("!a == b", "((!a) == b)"),
        ("~a & b", "((~a) & b)"),
        ("- - a", "(-(-a))"),
        ("(integer)f + 1", "(((integer)f) + 1)"),
        ("(string)(a + b)", "((string)(a + b))"),
        ("(float)-x", "((float)(-x))"),
        ("(quaternion)s", "((rotation)s)"),
        ("a = b = c + 1", "(a = (b = (c + 1)))"),
        ("a += b *= 2", "(a += (b *= 2))"),
        ("v.x = 1.5", "(v.x = 1.5)"),
        ("i++ + ++j", "((i++) + (++j))"),
        ("--v.z", "(--v.z)"),
        ("llAbs(-3) + f(1, g(2))", "(llAbs((-3)) + f(1, g(2)))"),
        ("[1, \"a\", <1, 2, 3>]", "[1, \"a\", <1, 2, 3>]"),
        ("[]", "[]"),
        ("<1, 2, 3> + <0, 0, 1>", "(<1, 2, 3> + <0, 0, 1>)"),
        ("<0.0, 0.0, 0.0, 1.0>", "<0.0, 0.0, 0.0, 1.0>"),
        ("<a > b, 0, 1>", "<(a > b), 0, 1>"),
        ("<1, 2, 3 + 4>", "<1, 2, (3 + 4)>"),
        ("<1, 2, x << 1>", "<1, 2, (x << 1)>"),
        ("[<0, 0, 1> - v, 2]", "[(<0, 0, 1> - v), 2]"),
        ("<1, 2, 3> < v", "(<1, 2, 3> < v)"),
        ("print(1 + 2)", "print((1 + 2))"),
        ("s.s", "s.s"),
    ])
    func precedenceAndGrouping(source: String, expected: String) throws {
        #expect(try grouped(source) == expected)
    }

    @Test func literalsKeepTheirValues() throws {
        #expect(try grouped("0x10 + 1.5e1 + \"a\\tb\"") == "((16 + 15.0) + \"a    b\")")
    }

    @Test(arguments: [
        ("1 + ", "e.lsl:1:5: expected an expression, found end of file"),
        ("x <<= 2", "e.lsl:1:3: '<<=' is not an LSL operator"),
        ("f() = 2", "e.lsl:1:1: the left side of '=' must be a variable"),
        ("v.w", "e.lsl:1:3: expected 'x', 'y', 'z' or 's' after '.', found identifier 'w'"),
        ("<1; 2, 3>", "e.lsl:1:3: expected ',' after the first component of a vector or rotation, found ';'"),
        ("<1, 2, 3", "e.lsl:1:9: expected '>' to close the vector, found end of file"),
        ("f(1 2)", "e.lsl:1:5: expected ',' or ')' after the arguments of 'f', found integer literal"),
    ])
    func malformedExpressions(source: String, expected: String) {
        let (tokens, _) = Lexer.tokenize(source, file: "e.lsl")
        var parser = Parser(tokens: tokens)
        #expect(throws: Parser.Failure.self) { _ = try parser.parseExpression() }
        do {
            var again = Parser(tokens: tokens)
            _ = try again.parseExpression()
        } catch {
            #expect("\(error.diagnostic.location): \(error.diagnostic.message)" == expected)
        }
    }
}
