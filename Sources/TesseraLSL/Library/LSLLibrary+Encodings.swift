import Crypto

/// Base64, the XOR functions, hashes and HMACs, `llGenerateKey`.
extension LSLLibrary {
    static func registerEncodings(_ t: inout LibraryTable) {
        t.add("llStringToBase64") { a, _ in .string(Base64.encode(Array(a.string(0).utf8))) }
        t.add("llBase64ToString") { a, _ in .string(base64ToString(a.string(0))) }
        t.add("llIntegerToBase64") { a, _ in
            let v = UInt32(bitPattern: a.int(0))
            return .string(Base64.encode([UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)]))
        }
        t.add("llBase64ToInteger") { a, _ in
            let s = a.string(0)
            guard s.unicodeScalars.count <= 8 else { return .integer(0) }
            let bytes = Base64.decodePrefix(s) + [0, 0, 0, 0]
            let v = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            return .integer(Int32(bitPattern: v))
        }
        t.add("llXorBase64") { a, _ in .string(xorBase64(a.string(0), a.string(1), restartAtZero: false)) }
        t.add("llXorBase64StringsCorrect") { a, _ in .string(xorBase64(a.string(0), a.string(1), restartAtZero: true)) }
        t.add("llXorBase64Strings") { a, _ in .string(xorBase64Characters(a.string(0), a.string(1))) }
        t.add("llMD5String") { a, _ in
            .string(hex(Insecure.MD5.hash(data: Array((a.string(0) + ":" + String(a.int(1))).utf8))))
        }
        t.add("llSHA1String") { a, _ in .string(hex(Insecure.SHA1.hash(data: Array(a.string(0).utf8)))) }
        t.add("llSHA256String") { a, _ in .string(hex(SHA256.hash(data: Array(a.string(0).utf8)))) }
        t.add("llComputeHash") { a, _ in
            let data = Array(a.string(0).utf8)
            switch a.string(1) {
            case "md5": return .string(hex(Insecure.MD5.hash(data: data)))
            case "md5_sha1": return .string(hex(Insecure.MD5.hash(data: data)) + hex(Insecure.SHA1.hash(data: data)))
            case "sha1": return .string(hex(Insecure.SHA1.hash(data: data)))
            case "sha256": return .string(hex(SHA256.hash(data: data)))
            case "sha384": return .string(hex(SHA384.hash(data: data)))
            case "sha512": return .string(hex(SHA512.hash(data: data)))
            default: return .string("")  // sha224 too: see docs/lsl-library.md
            }
        }
        t.add("llHMAC") { a, _ in
            let key = SymmetricKey(data: Array(a.string(0).utf8))
            let message = Array(a.string(1).utf8)
            func mac<H: HashFunction>(_: H.Type) -> String {
                Base64.encode(Array(HMAC<H>.authenticationCode(for: message, using: key)))
            }
            switch a.string(2) {
            case "md5": return .string(mac(Insecure.MD5.self))
            case "sha1": return .string(mac(Insecure.SHA1.self))
            case "sha256": return .string(mac(SHA256.self))
            case "sha384": return .string(mac(SHA384.self))
            case "sha512": return .string(mac(SHA512.self))
            default: return .string("")
            }
        }
        t.add("llGenerateKey") { _, context in .key(generateKey(&context.random)) }
    }

    static func hex(_ digest: some Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A random version-4 UUID, lower case.
    static func generateKey(_ random: inout LSLRandom) -> String {
        var bytes: [UInt8] = []
        for _ in 0..<2 {
            var v = random.next()
            for _ in 0..<8 {
                bytes.append(UInt8(v & 255))
                v >>= 8
            }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `llBase64ToString`: control characters other than tab, line feed, 0x0F and 0x1F, stray
    /// continuation bytes and cut-short UTF-8 sequences each become one `?`; then the bytes
    /// are read as UTF-8 (`decodeUTF8`).
    static func base64ToString(_ s: String) -> String {
        let bytes = Base64.decodePrefix(s)
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        func inRange(_ k: Int, _ low: UInt8, _ high: UInt8) -> Bool { k < n && bytes[k] >= low && bytes[k] <= high }
        while i < n {
            let b = bytes[i]
            if b == 0 && i == n - 1 { break }
            if b == 0x09 || b == 0x0A || b == 0x0F || (b >= 0x1F && b <= 0x7F) || b == 0xFE || b == 0xFF {
                cleaned.append(b)
                i += 1
                continue
            }
            if b < 0x20 || (b >= 0x80 && b <= 0xBF) {
                cleaned.append(UInt8(ascii: "?"))
                i += 1
                continue
            }
            // A lead byte: how many continuation bytes it needs, and the range of the first.
            let (needed, low): (Int, UInt8) = switch b {
            case 0xC0...0xDF: (1, b < 0xC2 ? 0xFF : 0x80)
            case 0xE0: (2, 0xA0)
            case 0xE1...0xEF: (2, 0x80)
            case 0xF0: (3, 0x90)
            case 0xF1...0xF7: (3, 0x80)
            case 0xF8: (4, 0x88)
            case 0xF9...0xFB: (4, 0x80)
            case 0xFC: (5, 0x84)
            default: (5, 0x80)  // 0xFD
            }
            var whole = inRange(i + 1, low, 0xBF)
            if whole && needed >= 2 { for k in 2...needed where !inRange(i + k, 0x80, 0xBF) { whole = false } }
            if whole {
                cleaned += bytes[i...(i + needed)]
                i += needed + 1
            } else {
                var k = 1
                while k <= needed && inRange(i + k, 0x80, 0xBF) { k += 1 }
                cleaned.append(UInt8(ascii: "?"))
                i += k
            }
        }
        return decodeUTF8(cleaned)
    }

    /// `llXorBase64` (and, restarting the key at its first zero byte, `…StringsCorrect`): the
    /// bytes of `s` XORed with the bytes of `key`, repeated. An empty key gives `s` unchanged.
    static func xorBase64(_ s: String, _ key: String, restartAtZero: Bool) -> String {
        if key.isEmpty { return s }
        let data = Base64.decodePrefix(s)
        var pattern = Base64.decodePrefix(key)
        if Base64.validPrefixLength(key) == 0 { pattern = [0] }  // "AA"
        if restartAtZero, pattern.count > 1, let zero = pattern[1...].firstIndex(of: 0) {
            // The key restarts at its first zero byte after the first byte.
            pattern = Array(pattern[..<zero])
        }
        guard !pattern.isEmpty else { return Base64.encode(data) }
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        for (i, b) in data.enumerated() { out.append(b ^ pattern[i % pattern.count]) }
        return Base64.encode(out)
    }

    /// `llXorBase64Strings`, the old one: XORs the Base64 digits' values, not the bytes;
    /// a character of `s` that is no Base64 digit gives `=`.
    static func xorBase64Characters(_ s: String, _ key: String) -> String {
        if key.isEmpty { return s }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".unicodeScalars)
        func value(_ c: Unicode.Scalar) -> Int? { alphabet.firstIndex(of: c) }
        var k = Array(key.unicodeScalars)
        var base: Int
        if let v = value(k[0]) {
            base = v
        } else if k[0] == "=" {
            k[0] = "+"
            base = 62
        } else {
            k[0] = "/"
            base = 63
        }
        var out = String.UnicodeScalarView()
        var i = 0
        for c in s.unicodeScalars {
            let v1 = value(c)
            var v2 = value(k[i])
            i += 1
            if i >= k.count { i = 0 }
            guard let first = v1 else {
                out.append("=")
                continue
            }
            if v2 == nil {
                v2 = base
                i = 1
            }
            out.append(alphabet[first ^ v2!])
        }
        return String(out)
    }
}

/// Base64 as SL reads it: the longest prefix made of whole groups of four digits, plus a last
/// group of two or three; no padding needed, anything after ignored.
enum Base64 {
    private static let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, d) in digits.enumerated() { table[Int(d)] = Int8(i) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [digits[Int(v >> 18)], digits[Int(v >> 12 & 63)], digits[Int(v >> 6 & 63)], digits[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [digits[Int(v >> 18)], digits[Int(v >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [digits[Int(v >> 18)], digits[Int(v >> 12 & 63)], digits[Int(v >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// How many leading characters of `s` form valid Base64 (whole groups, then 2 or 3 more).
    static func validPrefixLength(_ s: String) -> Int {
        var run = 0
        for b in s.utf8 {
            guard values[Int(b)] >= 0 else { break }
            run += 1
        }
        return run % 4 == 1 ? run - 1 : run
    }

    static func decodePrefix(_ s: String) -> [UInt8] {
        let length = validPrefixLength(s)
        var out: [UInt8] = []
        out.reserveCapacity(length * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for b in s.utf8.prefix(length) {
            accumulator = accumulator << 6 | UInt32(values[Int(b)])
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(accumulator >> UInt32(bits) & 255))
            }
        }
        return out
    }
}
