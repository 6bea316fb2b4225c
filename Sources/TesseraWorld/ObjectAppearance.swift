/// How an object looks beyond its shape and size: the floating text above it (`llSetText`)
/// and its colour (`llSetColor`, `llSetAlpha`). Colours are red, green, blue and alpha, each in
/// 0...1. Carried to client managers in `EntityInfo` and `RegionFrame.appearance`, and to
/// clients of protocol 6 in `EntityEnter` and `ObjectAppearance`.
public struct ObjectAppearance: Hashable, Sendable {
    /// Longest floating text, in UTF-8 bytes.
    public static let maxTextBytes = 255

    /// Floating text; empty for none.
    public var text: String
    public var textColor: Vector3
    public var textAlpha: Float
    public var color: Vector3
    public var alpha: Float

    public init(text: String = "", textColor: Vector3 = Vector3(1, 1, 1), textAlpha: Float = 1, color: Vector3 = Vector3(1, 1, 1), alpha: Float = 1) {
        self.text = text
        self.textColor = textColor
        self.textAlpha = textAlpha
        self.color = color
        self.alpha = alpha
    }

    /// No floating text, white, opaque: what an object without an appearance looks like.
    public static let standard = ObjectAppearance()

    /// The same appearance made valid: every colour component in 0...1 (a value that is not
    /// a number becomes 0), U+0000 taken out of the text and the text cut to `maxTextBytes` at
    /// a character boundary. What every encoder writes, so a decoder never refuses it.
    public var clamped: ObjectAppearance {
        var text = self.text
        if text.utf8.contains(0) { text.removeAll { $0 == "\u{0}" } }
        if text.utf8.count > Self.maxTextBytes {
            var cut = ""
            var used = 0
            for character in text {
                used += character.utf8.count
                guard used <= Self.maxTextBytes else { break }
                cut.append(character)
            }
            text = cut
        }
        return ObjectAppearance(
            text: text, textColor: Self.unit(textColor), textAlpha: Self.unit(textAlpha),
            color: Self.unit(color), alpha: Self.unit(alpha))
    }

    /// Why the appearance is not valid (names the field), or nil when it is.
    public var problem: String? {
        if text.utf8.contains(0) { return "text contains U+0000 (NUL)" }
        if text.utf8.count > Self.maxTextBytes { return "text is \(text.utf8.count) bytes, at most \(Self.maxTextBytes) allowed" }
        for (name, value) in [("textColor.r", textColor.x), ("textColor.g", textColor.y), ("textColor.b", textColor.z), ("textAlpha", textAlpha),
                              ("color.r", color.x), ("color.g", color.y), ("color.b", color.z), ("alpha", alpha)]
        where !(0...1).contains(value) {
            return "\(name) is \(value), not in 0...1"
        }
        return nil
    }

    private static func unit(_ value: Float) -> Float {
        value.isNaN ? 0 : min(max(value, 0), 1)
    }

    private static func unit(_ value: Vector3) -> Vector3 {
        Vector3(unit(value.x), unit(value.y), unit(value.z))
    }
}
