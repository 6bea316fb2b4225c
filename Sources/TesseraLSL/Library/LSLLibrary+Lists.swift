#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists: reading elements with SL's conversions, slicing, searching, sorting, shuffling,
/// statistics, and lists to and from text (CSV, `llParseString2List`, `llDumpList2String`).
extension LSLLibrary {
    static func registerLists(_ t: inout LibraryTable) {
        // These four are also computed inline by the VM (`Intrinsics`): one definition serves both.
        t.add("llGetListLength") { a, _ in .integer(Intrinsics.listLength(a[0])) }
        t.add("llList2Integer") { a, _ in .integer(Intrinsics.list2Integer(a[0], a.int(1))) }
        t.add("llList2Float") { a, _ in .float(Intrinsics.list2Float(a[0], a.int(1))) }
        t.add("llList2String") { a, _ in .string(element(a.list(0), a.int(1))?.listElementString ?? "") }
        t.add("llList2Key") { a, _ in
            switch element(a.list(0), a.int(1)) {
            case .key(let s), .string(let s): .key(s)
            default: .key("")
            }
        }
        t.add("llList2Vector") { a, _ in
            if case .vector(let v) = element(a.list(0), a.int(1)) { return .vector(v) }
            return .vector(.zero)
        }
        t.add("llList2Rot") { a, _ in
            if case .rotation(let r) = element(a.list(0), a.int(1)) { return .rotation(r) }
            return .rotation(.identity)
        }
        t.add("llGetListEntryType") { a, _ in
            guard let value = element(a.list(0), a.int(1)) else { return .integer(0) }
            return .integer(typeCode(value))
        }
        t.add("llList2List") { a, _ in .list(LSLRange.get(a.list(0), a.int(1), a.int(2))) }
        t.add("llDeleteSubList") { a, _ in .list(LSLRange.delete(a.list(0), a.int(1), a.int(2))) }
        t.add("llListInsertList") { a, _ in
            let dest = a.list(0)
            let at = sliceIndex(Int(a.int(2)), dest.count)
            return .list(Array(dest[..<at]) + a.list(1) + Array(dest[at...]))
        }
        t.add("llListReplaceList") { a, _ in .list(replaceList(a.list(0), a.list(1), a.int(2), a.int(3))) }
        t.add("llListFindList") { a, _ in .integer(Int32(truncatingIfNeeded: findList(a.list(0), a.list(1), from: 0) ?? -1)) }
        t.add("llListFindListNext") { a, _ in .integer(findListNext(a.list(0), a.list(1), instance: a.int(2))) }
        t.add("llListFindStrided") { a, _ in
            .integer(findStrided(a.list(0), a.list(1), start: a.int(2), end: a.int(3), stride: a.int(4)))
        }
        t.add("llListSort") { a, _ in .list(sortList(a.list(0), stride: a.int(1), key: 0, ascending: a.int(2) == 1)) }
        t.add("llListSortStrided") { a, _ in
            let stride = max(Int(a.int(1)), 1)
            var index = Int(a.int(2))
            if index < 0 { index += stride }
            guard index >= 0 && index < stride else { return .list(a.list(0)) }
            return .list(sortList(a.list(0), stride: Int32(stride), key: index, ascending: a.int(3) == 1))
        }
        t.add("llListRandomize") { a, context in .list(randomize(a.list(0), stride: a.int(1), &context.random)) }
        t.add("llList2ListStrided") { a, _ in .list(listStrided(a.list(0), a.int(1), a.int(2), a.int(3))) }
        t.add("llList2ListSlice") { a, _ in
            let stride = Int(a.int(3))
            var slice = Int(a.int(4))
            guard stride > 0, slice >= -stride, slice <= stride - 1 else { return .list([]) }
            if slice < 0 { slice += stride }
            let range = LSLRange.get(a.list(0), a.int(1), a.int(2))
            return .list(Swift.stride(from: slice, to: range.count, by: stride).map { range[$0] })
        }
        t.add("llListStatistics") { a, _ in .float(statistics(a.int(0), a.list(1))) }
        t.add("llList2CSV") { a, _ in .string(list2CSV(a.list(0))) }
        t.add("llCSV2List") { a, _ in .list(csv2List(a.string(0))) }
        t.add("llDumpList2String") { a, _ in
            .string(a.list(0).map { positiveZeroText($0) }.joined(separator: a.string(1)))
        }
        t.add("llParseString2List") { a, _ in .list(parse(a.string(0), a.list(1), a.list(2), keepNulls: false)) }
        t.add("llParseStringKeepNulls") { a, _ in .list(parse(a.string(0), a.list(1), a.list(2), keepNulls: true)) }
    }

    /// The element at `index` (negative counts from the end), nil when there is none.
    static func element(_ list: [LSLValue], _ index: Int32) -> LSLValue? {
        var i = Int(index)
        if i < 0 { i += list.count }
        return i >= 0 && i < list.count ? list[i] : nil
    }

    /// `TYPE_INTEGER` … `TYPE_ROTATION`.
    static func typeCode(_ value: LSLValue) -> Int32 {
        switch value {
        case .integer: 1
        case .float: 2
        case .string: 3
        case .key: 4
        case .vector: 5
        case .rotation: 6
        case .list: 0
        }
    }

    /// A position between elements: negative counts from the end, then clamped to the list.
    static func sliceIndex(_ i: Int, _ count: Int) -> Int {
        i < 0 ? max(i + count, 0) : min(i, count)
    }

    /// `llListReplaceList`: the range `start...end` of `dest` replaced by `src`. With the range
    /// inverted, what lies between end and start is kept and `src` follows it; a start before
    /// the first element drops `src`.
    static func replaceList(_ dest: [LSLValue], _ src: [LSLValue], _ start: Int32, _ end: Int32) -> [LSLValue] {
        let count = dest.count
        let s = Int(start), e = Int(end)
        let insert = s < -count ? [] : src
        func slice(_ from: Int, _ to: Int) -> [LSLValue] {
            let a = sliceIndex(from, count), b = sliceIndex(to, count)
            return a < b ? Array(dest[a..<b]) : []
        }
        let after = e == -1 ? count : e + 1
        if (s < 0 ? s + count : s) > (e < 0 ? e + count : e) {
            return slice(after, s) + insert
        }
        return slice(0, s) + insert + slice(after, count)
    }

    /// Whether two list elements match in `llListFindList`: the same type and value, a NaN
    /// float matching a NaN float (vectors and rotations compare component by component).
    static func elementsMatch(_ a: LSLValue, _ b: LSLValue) -> Bool {
        switch (a, b) {
        case (.float(let x), .float(let y)): x == y || (x.isNaN && y.isNaN)
        case (.integer(let x), .integer(let y)): x == y
        case (.string(let x), .string(let y)), (.key(let x), .key(let y)): LSLValue.sameText(x, y)
        case (.vector(let x), .vector(let y)): x.x == y.x && x.y == y.y && x.z == y.z
        case (.rotation(let x), .rotation(let y)): x.x == y.x && x.y == y.y && x.z == y.z && x.s == y.s
        default: false
        }
    }

    /// The first index at or after `from` where `test` occurs in `src`; an empty `test` is
    /// found at `from`.
    static func findList(_ src: [LSLValue], _ test: [LSLValue], from: Int) -> Int? {
        if test.isEmpty { return from <= src.count ? from : nil }
        guard test.count <= src.count, from <= src.count - test.count else { return nil }
        for i in from...(src.count - test.count) {
            var j = 0
            while j < test.count && elementsMatch(src[i + j], test[j]) { j += 1 }
            if j == test.count { return i }
        }
        return nil
    }

    /// `llListFindListNext`: the index of occurrence number `instance` (0 the first; negative
    /// counts from the last, -1 the last); occurrences may overlap.
    static func findListNext(_ src: [LSLValue], _ test: [LSLValue], instance: Int32) -> Int32 {
        if test.isEmpty { return 0 }
        var found: [Int] = []
        var from = 0
        while let i = findList(src, test, from: from) {
            found.append(i)
            if instance >= 0 && found.count > Int(instance) { return Int32(i) }
            from = i + 1
        }
        if instance < 0 {
            let k = found.count + Int(instance)
            return k >= 0 ? Int32(found[k]) : -1
        }
        return -1
    }

    /// `llListFindStrided`: the first occurrence of `test` starting at an index of
    /// `start, start + stride, …` up to `end` (negative indexes count from the end).
    static func findStrided(_ src: [LSLValue], _ test: [LSLValue], start: Int32, end: Int32, stride: Int32) -> Int32 {
        let count = src.count
        var s = Int(start), e = Int(end)
        if s < 0 { s += count }
        if e < 0 { e += count }
        s = max(s, 0)
        e = min(e, count - 1)
        let step = max(Int(stride), 1)
        guard s <= e else { return -1 }
        if test.isEmpty { return Int32(s) }
        var i = s
        while i <= e {
            if i + test.count <= count {
                var j = 0
                while j < test.count && elementsMatch(src[i + j], test[j]) { j += 1 }
                if j == test.count { return Int32(i) }
            }
            i += step
        }
        return -1
    }

    /// Whether `a` sorts after `b` in `llListSort`: only elements of one type compare (vectors
    /// by their squared length, strings and keys by code points); rotations and mixed types
    /// never do. NaN sorts after everything.
    static func sortsAfter(_ a: LSLValue, _ b: LSLValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x > y
        case (.float(let x), .float(let y)): !(x <= y)
        case (.string(let x), .string(let y)), (.key(let x), .key(let y)):
            y.unicodeScalars.lexicographicallyPrecedes(x.unicodeScalars)
        case (.vector(let x), .vector(let y)):
            !(squaredLength(x) <= squaredLength(y))
        default: false
        }
    }

    static func squaredLength(_ v: LSLVector) -> Float { v.x * v.x + v.y * v.y + v.z * v.z }

    /// SL's sort: for each block in turn, every later block that should come before it (by the
    /// element at `key` in each) is swapped with it at once. Stable it is not; descending
    /// swaps whenever the elements are not in ascending order, so mixed types move there. A
    /// list whose length is not a multiple of the stride comes back unchanged.
    static func sortList(_ source: [LSLValue], stride: Int32, key: Int, ascending: Bool) -> [LSLValue] {
        let step = max(Int(stride), 1)
        var list = source
        let count = list.count
        guard count % step == 0, count > step else { return list }
        var i = 0
        while i < count - step {
            var j = i + step
            while j < count {
                if sortsAfter(list[i + key], list[j + key]) != !ascending {
                    for k in 0..<step { list.swapAt(i + k, j + k) }
                }
                j += step
            }
            i += step
        }
        return list
    }

    /// Blocks of `stride` shuffled (a stride below 1 is 1); a list whose length is not a
    /// multiple of the stride comes back unchanged.
    static func randomize(_ source: [LSLValue], stride: Int32, _ random: inout LSLRandom) -> [LSLValue] {
        let step = max(Int(stride), 1)
        var list = source
        guard list.count % step == 0 else { return list }
        let records = list.count / step
        guard records > 1 else { return list }
        for i in 0..<(records - 1) {
            let j = i + Int(random.next() % UInt64(records - i))
            if j != i { for k in 0..<step { list.swapAt(i * step + k, j * step + k) } }
        }
        return list
    }

    /// `llList2ListStrided`: the elements at multiples of `stride` between start and end
    /// (an inverted range means the whole list).
    static func listStrided(_ list: [LSLValue], _ start: Int32, _ end: Int32, _ stride: Int32) -> [LSLValue] {
        let count = list.count
        let step = stride == 0 ? 1 : Int(stride.magnitude)
        var s = Int(start), e = Int(end)
        if s < 0 { s += count }
        if e < 0 { e += count }
        if s > e {
            s = 0
            e = count - 1
        }
        s = max(s, 0)
        guard e >= 0 else { return [] }
        s = (s + step - 1) / step * step
        e = min(e / step * step, count - 1)
        guard s <= e else { return [] }
        return Swift.stride(from: s, through: e, by: step).map { list[$0] }
    }

    /// `llListStatistics`: over the integers and floats of the list (others are ignored);
    /// 0 when there are none or the operation is unknown.
    static func statistics(_ operation: Int32, _ list: [LSLValue]) -> Float {
        var numbers: [Double] = []
        for value in list.reversed() {
            switch value {
            case .integer(let v): numbers.append(Double(v))
            case .float(let f): numbers.append(Double(f))
            default: break
            }
        }
        guard !numbers.isEmpty else { return 0 }
        switch operation {
        case 8:  // LIST_STAT_NUM_COUNT
            return Float(numbers.count)
        case 0, 1, 2:  // RANGE, MIN, MAX
            var low = numbers[0], high = numbers[0]
            for n in numbers.dropFirst() {
                if n < low { low = n }
                if n > high { high = n }
            }
            return Float(operation == 0 ? high - low : operation == 1 ? low : high)
        case 4:  // MEDIAN
            var sorted = numbers
            var i = 0
            while i < sorted.count - 1 {
                for j in (i + 1)..<sorted.count where !(sorted[i] <= sorted[j]) { sorted.swapAt(i, j) }
                i += 1
            }
            let n = sorted.count
            return Float(n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) * 0.5)
        case 3, 5, 6, 7:  // MEAN, STD_DEV, SUM, SUM_SQUARES
            var sum = 0.0, squares = 0.0, mean = 0.0, n = 0.0, m2 = 0.0
            for x in numbers {
                n += 1
                sum += x
                squares += x * x
                let delta = x - mean
                mean += delta / n
                m2 += delta * (x - mean)
            }
            switch operation {
            case 5: return n == 1 ? 0 : Float((m2 / (n - 1)).squareRoot())
            case 6: return Float(sum)
            case 7: return Float(squares)
            default: return Float(mean)
            }
        case 9:  // GEOMETRIC_MEAN
            var n = 0.0, meanLog = 0.0
            for x in numbers {
                if x <= 0 { return 0 }
                n += 1
                meanLog += (log(x) - meanLog) / n
            }
            return Float(exp(meanLog))
        default:
            return 0
        }
    }

    /// `llList2CSV`: elements joined by `", "`; floats and the components of vectors and
    /// rotations printed with C's `%f` (not Mono's rounding).
    static func list2CSV(_ list: [LSLValue]) -> String {
        list.map { value -> String in
            switch value {
            case .float(let f): return LSLValue.cFormatFloat(f)
            case .vector(let v): return "<" + [v.x, v.y, v.z].map { LSLValue.cFormatFloat($0) }.joined(separator: ", ") + ">"
            case .rotation(let r): return "<" + [r.x, r.y, r.z, r.s].map { LSLValue.cFormatFloat($0) }.joined(separator: ", ") + ">"
            default: return value.listElementString
            }
        }.joined(separator: ", ")
    }

    /// `llCSV2List`: strings split at commas outside `<…>`; one space after a comma (or at the
    /// start) is dropped.
    static func csv2List(_ s: String) -> [LSLValue] {
        let text = Array(s.unicodeScalars)
        var result: [LSLValue] = []
        var depth = 0
        var afterComma = true
        var start = 0
        for (i, c) in text.enumerated() {
            if depth > 0 {
                if c == "<" { depth += 1 } else if c == ">" { depth -= 1 }
            } else if afterComma && c == " " {
                afterComma = false
                start = i + 1
            } else {
                afterComma = false
                if c == "," {
                    afterComma = true
                    result.append(.string(String(scalars: text[start..<i])))
                    start = i + 1
                } else if c == "<" {
                    depth += 1
                }
            }
        }
        result.append(.string(String(scalars: text[start...])))
        return result
    }

    /// An element's text for `llDumpList2String`: as in lists, but a negative zero prints
    /// without its sign.
    static func positiveZeroText(_ value: LSLValue) -> String {
        func f(_ x: Float) -> String { LSLValue.formatFloat(x == 0 ? 0 : x) }
        switch value {
        case .float(let x): return f(x)
        case .vector(let v): return "<" + f(v.x) + ", " + f(v.y) + ", " + f(v.z) + ">"
        case .rotation(let r): return "<" + f(r.x) + ", " + f(r.y) + ", " + f(r.z) + ", " + f(r.s) + ">"
        default: return value.listElementString
        }
    }

    /// `llParseString2List`/`llParseStringKeepNulls`: at each position the first separator or
    /// spacer (the first 8 non-empty ones of each, separators tried first, in their order) that
    /// matches there cuts the text; spacers stay in the result, separators do not; empty
    /// pieces stay only when keeping nulls. A piece equal to a separator is dropped too.
    static func parse(_ s: String, _ separators: [LSLValue], _ spacers: [LSLValue], keepNulls: Bool) -> [LSLValue] {
        if s.isEmpty && keepNulls { return [.string("")] }
        let excluded = separators.prefix(8).map { $0.listElementString }
        let spacerTexts = spacers.prefix(8).map { $0.listElementString }
        let patterns = (excluded + spacerTexts).filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
        let text = Array(s.unicodeScalars)
        var pieces: [String] = []
        var start = 0
        var i = 0
        while i < text.count {
            var matched: Scalars? = nil
            for p in patterns where p.count <= text.count - i && p[0] == text[i] {
                var k = 1
                while k < p.count && text[i + k] == p[k] { k += 1 }
                if k == p.count { matched = p; break }
            }
            if let p = matched {
                pieces.append(String(scalars: text[start..<i]))
                pieces.append(String(scalars: p))
                i += p.count
                start = i
            } else {
                i += 1
            }
        }
        pieces.append(String(scalars: text[start...]))
        return pieces.filter { piece in (keepNulls || !piece.isEmpty) && !excluded.contains { LSLValue.sameText($0, piece) } }.map { .string($0) }
    }
}
