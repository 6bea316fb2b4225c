/// The rule every avatar name follows, wherever it comes from: account creation (the CLI, the
/// admin console, bot accounts) and every `Login`. As in Second Life, a name is made of parts
/// of ASCII letters and digits (`Ada`, `Ada Lovelace`, `Bot 12`), starts with a letter, and
/// has single spaces between its parts and none at its ends. Nothing else is accepted, so no
/// two names look alike: no Cyrillic `А` beside a Latin `A`, no composed and decomposed
/// forms of one letter, no double, edge or invisible spaces. Names compare case-insensitively
/// (`Ada` and `ada` are one account), which is exact for ASCII.
public enum AvatarName {
    /// Why `name` is not an avatar name, for the person who typed it; nil when it is one.
    public static func problem(_ name: String) -> String? {
        guard !name.isEmpty else { return "a name must not be empty" }
        guard name.utf8.count <= maxNameBytes else { return "a name has at most \(maxNameBytes) characters" }
        var previous: Unicode.Scalar?
        for scalar in name.unicodeScalars {
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9":
                break
            case " ":
                guard previous != nil else { return "a name must not start with a space" }
                guard previous != " " else { return "a name has single spaces between its parts, not two in a row" }
            default:
                return "a name has only the letters A to Z, digits and single spaces; \(describe(scalar)) is not allowed"
            }
            previous = scalar
        }
        guard previous != " " else { return "a name must not end with a space" }
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic else { return "a name starts with a letter" }
        return nil
    }

    /// `'А' (U+0410)`, or only the code point for characters that do not print.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        var hex = String(scalar.value, radix: 16, uppercase: true)
        while hex.count < 4 { hex = "0" + hex }
        let code = "U+" + hex
        let printable = scalar.properties.generalCategory != .control && scalar.properties.generalCategory != .format
            && !scalar.properties.isWhitespace && scalar.value >= 0x20
        return printable ? "'\(Character(scalar))' (\(code))" : code
    }
}
