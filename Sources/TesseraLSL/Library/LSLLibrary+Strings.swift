/// Strings: lengths, substrings, search and replace, case, trimming, characters and code points,
/// URL escapes, `llHash`. Indexes count Unicode code points.
extension LSLLibrary {
    static func registerStrings(_ t: inout LibraryTable) {
        t.add("llStringLength") { a, _ in .integer(Intrinsics.stringLength(a[0])) }  // also inline in the VM
        t.add("llGetSubString") { a, _ in
            let s = a.string(0)
            return .string(String(scalars: LSLRange.get(Array(s.unicodeScalars), a.int(1), a.int(2))))
        }
        t.add("llDeleteSubString") { a, _ in
            let s = a.string(0)
            return .string(String(scalars: LSLRange.delete(Array(s.unicodeScalars), a.int(1), a.int(2))))
        }
        t.add("llInsertString") { a, _ in
            var dst = Array(a.string(0).unicodeScalars)
            let index = min(max(Int(a.int(1)), 0), dst.count)  // no negative indexes here
            dst.insert(contentsOf: a.string(2).unicodeScalars, at: index)
            return .string(String(scalars: dst))
        }
        t.add("llSubStringIndex") { a, _ in
            .integer(Int32(truncatingIfNeeded: indexOf(Array(a.string(1).unicodeScalars), in: Array(a.string(0).unicodeScalars), from: 0) ?? -1))
        }
        t.add("llToUpper") { a, _ in .string(changeCase(a.string(0), upper: true)) }
        t.add("llToLower") { a, _ in .string(changeCase(a.string(0), upper: false)) }
        t.add("llStringTrim") { a, _ in
            let s = Array(a.string(0).unicodeScalars)
            let mode = a.int(1)
            var head = 0, tail = s.count - 1
            func isTrimmed(_ c: Unicode.Scalar) -> Bool { c.value == 0x20 || (c.value >= 0x09 && c.value <= 0x0D) }
            if mode & 1 != 0 { while head < s.count && isTrimmed(s[head]) { head += 1 } }
            if mode & 2 != 0 { while tail >= head && isTrimmed(s[tail]) { tail -= 1 } }
            return .string(head <= tail ? String(scalars: s[head...tail]) : "")
        }
        t.add("llReplaceSubString") { a, _ in
            .string(replace(a.string(0), a.string(1), a.string(2), count: a.int(3)))
        }
        t.add("llChar") { a, _ in
            let code = a.int(0)
            if code == 0 { return .string("") }
            guard code > 0, code <= 0x10FFFF, !(0xD800...0xDFFF).contains(code), code != 0xFFFE, code != 0xFFFF,
                let scalar = Unicode.Scalar(UInt32(code))
            else { return .string("\u{FFFD}") }
            return .string(String(Character(scalar)))
        }
        t.add("llOrd") { a, _ in
            let s = Array(a.string(0).unicodeScalars)
            var i = Int(a.int(1))
            if i < 0 { i += s.count }
            guard i >= 0 && i < s.count else { return .integer(0) }
            return .integer(Int32(s[i].value))
        }
        t.add("llEscapeURL") { a, _ in .string(escapeURL(a.string(0))) }
        t.add("llUnescapeURL") { a, _ in .string(unescapeURL(a.string(0))) }
        t.add("llHash") { a, _ in
            var hash: UInt32 = 0
            for c in a.string(0).unicodeScalars { hash = hash &* 65599 &+ c.value }
            return .integer(Int32(bitPattern: hash))
        }
    }

    /// The first index at or after `from` where `pattern` starts in `text`; an empty pattern is
    /// found at `from`.
    static func indexOf(_ pattern: Scalars, in text: Scalars, from: Int) -> Int? {
        if pattern.isEmpty { return from <= text.count ? from : nil }
        guard text.count >= pattern.count else { return nil }
        let first = pattern[0]
        var i = from
        while i <= text.count - pattern.count {
            if text[i] == first {
                var j = 1
                while j < pattern.count && text[i + j] == pattern[j] { j += 1 }
                if j == pattern.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// `llReplaceSubString`: `count` 0 replaces every occurrence, a positive count the first
    /// ones, a negative count the last ones; an empty pattern changes nothing.
    static func replace(_ source: String, _ pattern: String, _ replacement: String, count: Int32) -> String {
        let p = Array(pattern.unicodeScalars)
        guard !p.isEmpty else { return source }
        var s = Array(source.unicodeScalars)
        let r = Array(replacement.unicodeScalars)
        if count >= 0 {
            var result: Scalars = []
            var i = 0, done: Int32 = 0
            while count == 0 || done < count, let found = indexOf(p, in: s, from: i) {
                result += s[i..<found]
                result += r
                i = found + p.count
                done += 1
            }
            result += s[i...]
            return String(scalars: result)
        }
        // From the right: each replacement is made before looking further left.
        var remaining = -Int(count)
        var limit = s.count
        while remaining > 0 {
            var found: Int? = nil
            var i = limit - p.count
            while i >= 0 {
                if Array(s[i..<i + p.count]) == p { found = i; break }
                i -= 1
            }
            guard let at = found else { break }
            s.replaceSubrange(at..<at + p.count, with: r)
            limit = at
            remaining -= 1
        }
        return String(scalars: s)
    }

    /// Upper or lower case, character by character (a character whose case form is several
    /// characters, like `ß`, stays as it is).
    static func changeCase(_ s: String, upper: Bool) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return upper ? s.uppercased() : s.lowercased() }
        var view = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            let mapped = upper ? c.properties.uppercaseMapping : c.properties.lowercaseMapping
            let scalars = mapped.unicodeScalars
            if scalars.count == 1, let only = scalars.first {
                view.append(only)
            } else {
                view.append(c)
            }
        }
        return String(view)
    }

    /// Every byte of the UTF-8 text but ASCII letters and digits becomes `%XX`.
    static func escapeURL(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `%XX` becomes the byte; a bad hex digit counts as 0, a `%` cut short at the end is
    /// dropped; the bytes are read as UTF-8 with each bad byte a `?`, up to the first NUL.
    static func unescapeURL(_ s: String) -> String {
        let text = Array(s.unicodeScalars)
        var bytes: [UInt8] = []
        var i = 0
        func hexValue(_ c: Unicode.Scalar) -> UInt8 {
            c.isASCII ? (LSLValue.hexDigit(UInt8(c.value)) ?? 0) : 0
        }
        while i < text.count {
            let c = text[i]
            i += 1
            if c != "%" {
                bytes += Array(String(Character(c)).utf8)
                continue
            }
            if i >= text.count { break }
            let first = text[i]
            i += 1
            if i >= text.count { break }
            var v = hexValue(first) << 4
            let second = text[i]
            if second == "%" {
                bytes.append(v)
                i += 1
                continue
            }
            i += 1
            v += hexValue(second)
            bytes.append(v)
        }
        return decodeUTF8(bytes)
    }

    /// Bytes as UTF-8 the way SL reads them: each byte of an invalid sequence (overlong forms,
    /// surrogates, beyond U+10FFFF, U+FFFE) becomes `?`; the text ends at the first NUL.
    static func decodeUTF8(_ bytes: [UInt8]) -> String {
        var view = String.UnicodeScalarView()
        var i = 0
        let n = bytes.count
        func continuation(_ k: Int) -> Bool { k < n && bytes[k] & 0xC0 == 0x80 }
        while i < n {
            let b = bytes[i]
            if b == 0 { break }
            if b < 0x80 {
                view.append(Unicode.Scalar(b))
                i += 1
                continue
            }
            var length = 0
            var value: UInt32 = 0
            var minimum: UInt32 = 0
            switch b {
            case 0xC2...0xDF: length = 2; value = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; value = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; value = UInt32(b & 0x07); minimum = 0x10000
            default: length = 0
            }
            var valid = length > 0
            if valid {
                for k in 1..<length {
                    guard continuation(i + k) else { valid = false; break }
                    value = value << 6 | UInt32(bytes[i + k] & 0x3F)
                }
            }
            if valid, value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value), value != 0xFFFE,
                let scalar = Unicode.Scalar(value)
            {
                view.append(scalar)
                i += length
            } else {
                view.append("?")
                i += 1
            }
        }
        return String(view)
    }
}
