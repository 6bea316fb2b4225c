/// Every built-in that needs no world, by name (docs/lsl-library.md lists them and what each
/// does at its edges). The tables are filled by the `register…` functions of the files beside
/// this one: math, strings and encodings, lists, JSON.
public enum LSLLibrary {
    public static let functions: [String: LSLLibraryFunction] = {
        var table = LibraryTable()
        registerMath(&table)
        registerRotations(&table)
        registerStrings(&table)
        registerEncodings(&table)
        registerLists(&table)
        registerJSON(&table)
        return table.functions
    }()
}

/// The table being filled; a name registered twice is a programming error.
struct LibraryTable {
    var functions: [String: LSLLibraryFunction] = [:]

    mutating func add(_ name: String, _ function: @escaping LSLLibraryFunction) {
        precondition(functions[name] == nil, "\(name) registered twice")
        functions[name] = function
    }
}

/// Reading arguments. They arrive of their parameter types; the accessors still accept what
/// converts implicitly (an integer for a float, a key for a string) so a caller's slip gives a
/// sensible value rather than a crash.
extension Array where Element == LSLValue {
    func int(_ i: Int) -> Int32 {
        switch self[i] {
        case .integer(let v): v
        case .float(let f): LSLValue.floatToInteger(f)
        default: 0
        }
    }

    func float(_ i: Int) -> Float {
        switch self[i] {
        case .float(let f): f
        case .integer(let v): Float(v)
        default: 0
        }
    }

    func string(_ i: Int) -> String {
        switch self[i] {
        case .string(let s), .key(let s): s
        default: self[i].castString
        }
    }

    func vector(_ i: Int) -> LSLVector {
        if case .vector(let v) = self[i] { return v }
        return .zero
    }

    func rotation(_ i: Int) -> LSLRotation {
        if case .rotation(let r) = self[i] { return r }
        return .identity
    }

    func list(_ i: Int) -> [LSLValue] {
        if case .list(let l) = self[i] { return l }
        return [self[i]]
    }
}

/// Text as LSL counts it: by Unicode scalars (code points).
typealias Scalars = [Unicode.Scalar]

extension String {
    init(scalars: some Sequence<Unicode.Scalar>) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}

/// LSL's ranges over strings and lists (`llGetSubString`, `llList2List`, `llDeleteSubString`,
/// `llDeleteSubList`): negative indexes count from the end; when the start comes after the
/// end, the range is everything but the part between them.
enum LSLRange {
    /// The elements `llGetSubString`/`llList2List` keep.
    static func get<T>(_ items: [T], _ start: Int32, _ end: Int32) -> [T] {
        let count = items.count
        var s = Int(start), e = Int(end)
        if s < 0 { s += count }
        if e < 0 { e += count }
        if s <= e {
            let from = max(s, 0), to = min(e, count - 1)
            return from <= to ? Array(items[from...to]) : []
        }
        // Inverted: [0...e] and [s...].
        var result: [T] = []
        if e >= 0 { result += items[0...min(e, count - 1)] }
        if s < count { result += items[max(s, 0)...] }
        return result
    }

    /// The elements `llDeleteSubString`/`llDeleteSubList` keep.
    static func delete<T>(_ items: [T], _ start: Int32, _ end: Int32) -> [T] {
        let count = items.count
        var s = Int(start), e = Int(end)
        if s < 0 { s += count }
        if e < 0 { e += count }
        if s <= e {
            var result: [T] = []
            if s > 0 { result += items[0..<min(s, count)] }
            if e + 1 < count { result += items[max(e + 1, 0)...] }
            return result
        }
        // Inverted: only what lies strictly between end and start stays.
        let from = max(e + 1, 0), to = min(s, count)
        return from < to ? Array(items[from..<to]) : []
    }
}
