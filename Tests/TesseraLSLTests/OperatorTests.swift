import Testing
@testable import TesseraLSL

/// LSL's operators on values (LSL wiki "Operators", "integer", "float", "vector", "rotation").
@Suite struct OperatorTests {
    private func op(_ o: BinaryOperator, _ l: LSLValue, _ r: LSLValue) throws -> LSLValue {
        try LSLOperators.binary(o, l, r)
    }

    private func isMathError(_ o: BinaryOperator, _ l: LSLValue, _ r: LSLValue) -> Bool {
        do {
            _ = try LSLOperators.binary(o, l, r)
            return false
        } catch {
            return error.kind == .mathError && error.message == "Math Error"
        }
    }

    @Test func integerArithmeticWrapsAt32Bits() throws {
        #expect(try op(.add, .integer(2147483647), .integer(1)) == .integer(-2147483648))
        #expect(try op(.subtract, .integer(-2147483648), .integer(1)) == .integer(2147483647))
        #expect(try op(.multiply, .integer(65536), .integer(65536)) == .integer(0))
        #expect(try op(.multiply, .integer(-2147483648), .integer(-1)) == .integer(-2147483648))
        #expect(try op(.divide, .integer(-2147483648), .integer(-1)) == .integer(-2147483648))
        #expect(try op(.modulo, .integer(-2147483648), .integer(-1)) == .integer(0))
        #expect(try op(.divide, .integer(7), .integer(-1)) == .integer(-7))
        #expect(try op(.modulo, .integer(7), .integer(-1)) == .integer(0))
        #expect(try op(.divide, .integer(-7), .integer(2)) == .integer(-3))
        #expect(try op(.modulo, .integer(-7), .integer(2)) == .integer(-1))
        #expect(try op(.modulo, .integer(7), .integer(-2)) == .integer(1))
        #expect(try LSLOperators.unary(.negate, .integer(-2147483648)) == .integer(-2147483648))
    }

    @Test func divisionByZeroIsAMathError() {
        #expect(isMathError(.divide, .integer(1), .integer(0)))
        #expect(isMathError(.modulo, .integer(1), .integer(0)))
        #expect(isMathError(.divide, .float(1), .float(0)))
        #expect(isMathError(.divide, .float(1), .float(-0.0)))
        #expect(isMathError(.divide, .integer(1), .float(0)))
        #expect(isMathError(.divide, .float(0), .integer(0)))
        #expect(isMathError(.divide, .float(.infinity), .float(.infinity)))
        #expect(isMathError(.divide, .float(.nan), .float(1)))
        #expect(isMathError(.divide, .vector(LSLVector(1, 2, 3)), .float(0)))
        #expect(isMathError(.divide, .vector(LSLVector(1, 2, 3)), .integer(0)))
    }

    @Test func bitsAndShifts() throws {
        #expect(try op(.shiftLeft, .integer(1), .integer(31)) == .integer(-2147483648))
        #expect(try op(.shiftLeft, .integer(1), .integer(32)) == .integer(1))
        #expect(try op(.shiftLeft, .integer(1), .integer(33)) == .integer(2))
        #expect(try op(.shiftRight, .integer(-8), .integer(1)) == .integer(-4))
        #expect(try op(.shiftRight, .integer(-1), .integer(31)) == .integer(-1))
        #expect(try op(.shiftRight, .integer(0x4000_0000), .integer(-2)) == .integer(1))
        #expect(try op(.bitAnd, .integer(12), .integer(10)) == .integer(8))
        #expect(try op(.bitOr, .integer(12), .integer(10)) == .integer(14))
        #expect(try op(.bitXor, .integer(12), .integer(10)) == .integer(6))
        #expect(try op(.and, .integer(2), .integer(3)) == .integer(1))
        #expect(try op(.and, .integer(2), .integer(0)) == .integer(0))
        #expect(try op(.or, .integer(0), .integer(-5)) == .integer(1))
        #expect(try LSLOperators.unary(.not, .integer(0)) == .integer(1))
        #expect(try LSLOperators.unary(.not, .integer(7)) == .integer(0))
        #expect(try LSLOperators.unary(.bitNot, .integer(0)) == .integer(-1))
    }

    @Test func comparisons() throws {
        #expect(try op(.less, .integer(1), .integer(2)) == .integer(1))
        #expect(try op(.greaterEqual, .integer(2), .integer(2)) == .integer(1))
        #expect(try op(.less, .integer(1), .float(1.5)) == .integer(1))
        #expect(try op(.greater, .float(-0.5), .integer(0)) == .integer(0))
        #expect(try op(.equal, .integer(1), .float(1)) == .integer(1))
        #expect(try op(.equal, .integer(16777217), .float(16777216)) == .integer(1))
        #expect(try op(.notEqual, .float(.nan), .float(.nan)) == .integer(1))
        #expect(try op(.equal, .float(.nan), .float(.nan)) == .integer(0))
        #expect(try op(.lessEqual, .float(.nan), .float(1)) == .integer(0))
    }

    @Test func floats() throws {
        #expect(try op(.add, .integer(1), .float(0.5)) == .float(1.5))
        #expect(try op(.divide, .integer(1), .float(2)) == .float(0.5))
        #expect(try op(.divide, .float(1), .integer(3)) == .float(Float(1) / 3))
        #expect(try op(.multiply, .float(3.4e38), .float(10)) == .float(.infinity))
        #expect(try op(.subtract, .float(0.1), .float(0.2)) == .float(Float(0.1) - Float(0.2)))
        #expect(try LSLOperators.unary(.negate, .float(2.5)) == .float(-2.5))
    }

    @Test func textAndKeys() throws {
        #expect(try op(.add, .string("a"), .string("b")) == .string("ab"))
        #expect(try op(.add, .string("Owner: "), .key("k")) == .string("Owner: k"))
        #expect(try op(.add, .key("k"), .string("!")) == .string("k!"))
        #expect(try op(.equal, .string("a"), .key("a")) == .integer(1))
        #expect(try op(.equal, .key("a"), .string("a")) == .integer(1))
        #expect(try op(.equal, .key("a"), .key("b")) == .integer(0))
        #expect(try op(.notEqual, .string("a"), .string("b")) == .integer(1))
        #expect(try op(.equal, .string("é"), .string("e\u{301}")) == .integer(0))
    }

    @Test func lists() throws {
        let ab: LSLValue = .list([.string("a"), .string("b")])
        #expect(try op(.add, ab, .list([.integer(1)])) == .list([.string("a"), .string("b"), .integer(1)]))
        #expect(try op(.add, ab, .integer(1)) == .list([.string("a"), .string("b"), .integer(1)]))
        #expect(try op(.add, .float(2), ab) == .list([.float(2), .string("a"), .string("b")]))
        #expect(try op(.add, .list([]), .vector(.zero)) == .list([.vector(.zero)]))
        // == compares lengths only; != gives the difference of the lengths.
        #expect(try op(.equal, ab, .list([.integer(1), .integer(2)])) == .integer(1))
        #expect(try op(.equal, ab, .list([])) == .integer(0))
        #expect(try op(.notEqual, .list([.integer(1), .integer(2), .integer(3)]), .list([.integer(1)])) == .integer(2))
        #expect(try op(.notEqual, .list([.integer(1)]), .list([.integer(1), .integer(2), .integer(3)])) == .integer(-2))
        #expect(try op(.notEqual, ab, .list([.integer(9), .integer(9)])) == .integer(0))
    }

    @Test func vectors() throws {
        let a = LSLValue.vector(LSLVector(1, 2, 3)), b = LSLValue.vector(LSLVector(4, 5, 6))
        #expect(try op(.add, a, b) == .vector(LSLVector(5, 7, 9)))
        #expect(try op(.subtract, a, b) == .vector(LSLVector(-3, -3, -3)))
        #expect(try op(.multiply, a, b) == .float(32))
        #expect(try op(.modulo, .vector(LSLVector(1, 0, 0)), .vector(LSLVector(0, 1, 0))) == .vector(LSLVector(0, 0, 1)))
        #expect(try op(.modulo, a, b) == .vector(LSLVector(-3, 6, -3)))
        #expect(try op(.multiply, a, .integer(2)) == .vector(LSLVector(2, 4, 6)))
        #expect(try op(.multiply, .float(0.5), a) == .vector(LSLVector(0.5, 1, 1.5)))
        #expect(try op(.divide, a, .float(2)) == .vector(LSLVector(0.5, 1, 1.5)))
        #expect(try op(.divide, a, .integer(-1)) == .vector(LSLVector(-1, -2, -3)))
        #expect(try op(.equal, a, .vector(LSLVector(1, 2, 3))) == .integer(1))
        #expect(try op(.notEqual, a, b) == .integer(1))
        #expect(try LSLOperators.unary(.negate, a) == .vector(LSLVector(-1, -2, -3)))
    }

    @Test func rotations() throws {
        let halfTurnZ = LSLValue.rotation(LSLRotation(0, 0, 1, 0))
        let halfTurnX = LSLValue.rotation(LSLRotation(1, 0, 0, 0))
        // A vector times a rotation is the vector rotated; divided, rotated back.
        #expect(try op(.multiply, .vector(LSLVector(1, 0, 0)), halfTurnZ) == .vector(LSLVector(-1, 0, 0)))
        #expect(try op(.multiply, .vector(LSLVector(1, 2, 3)), .rotation(.identity)) == .vector(LSLVector(1, 2, 3)))
        #expect(try op(.divide, .vector(LSLVector(0, 1, 0)), halfTurnZ) == .vector(LSLVector(0, -1, 0)))
        // a * b is a followed by b: (x half turn) then (z half turn) is a half turn about y.
        #expect(try op(.multiply, halfTurnX, halfTurnZ) == .rotation(LSLRotation(0, 1, 0, 0)))
        #expect(try op(.multiply, halfTurnZ, halfTurnX) == .rotation(LSLRotation(0, -1, 0, 0)))
        #expect(try op(.multiply, halfTurnZ, halfTurnZ) == .rotation(LSLRotation(0, 0, 0, -1)))
        #expect(try op(.divide, halfTurnZ, halfTurnZ) == .rotation(LSLRotation(0, 0, 0, 1)))
        #expect(try op(.add, halfTurnZ, halfTurnX) == .rotation(LSLRotation(1, 0, 1, 0)))
        #expect(try op(.subtract, halfTurnZ, halfTurnX) == .rotation(LSLRotation(-1, 0, 1, 0)))
        #expect(try op(.equal, halfTurnZ, .rotation(LSLRotation(0, 0, 1, 0))) == .integer(1))
        #expect(try LSLOperators.unary(.negate, .rotation(LSLRotation(1, 2, 3, 4))) == .rotation(LSLRotation(-1, -2, -3, -4)))
    }

    /// Every combination the type checker accepts has a result of the type it predicts.
    @Test func everyLegalCombinationHasAResultOfTheRightType() throws {
        let samples: [LSLValue] = [
            .integer(3), .float(2), .string("s"), .key("k"), .vector(LSLVector(1, 2, 3)),
            .rotation(LSLRotation(0, 0, 0, 1)), .list([.integer(1)]),
        ]
        let operators: [BinaryOperator] = [
            .multiply, .divide, .modulo, .add, .subtract, .shiftLeft, .shiftRight, .less, .lessEqual, .greater,
            .greaterEqual, .equal, .notEqual, .bitAnd, .bitXor, .bitOr, .and, .or,
        ]
        var checked = 0
        for o in operators {
            for l in samples {
                for r in samples {
                    guard let expected = TypeRules.binary(o, l.type, r.type) else { continue }
                    let result = try LSLOperators.binary(o, l, r)
                    #expect(result.type == expected, "\(l.type) \(o.rawValue) \(r.type)")
                    checked += 1
                }
            }
        }
        #expect(checked > 60)
        for u in [UnaryOperator.negate, .not, .bitNot] {
            for v in samples {
                guard let expected = TypeRules.unary(u, v.type) else { continue }
                #expect(try LSLOperators.unary(u, v).type == expected)
            }
        }
    }

    @Test func illegalCombinationsThrowALibraryError() {
        #expect(throws: LSLRuntimeError.self) { try LSLOperators.binary(.multiply, .string("a"), .integer(2)) }
        #expect(throws: LSLRuntimeError.self) { try LSLOperators.unary(.not, .string("a")) }
    }
}
