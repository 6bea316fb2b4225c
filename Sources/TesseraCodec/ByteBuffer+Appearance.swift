import NIOCore
import TesseraWorld

extension ObjectAppearance {
    /// Encoded size without the text's bytes: the text's u16 count, then 8 f32.
    public static let minWireBytes = 34
}

extension ByteBuffer {
    /// An `ObjectAppearance`: text (string ≤ 255), textColor (vec3), textAlpha (f32), color
    /// (vec3), alpha (f32); every colour component finite and in 0...1.
    public mutating func readAppearance(_ field: String) throws -> ObjectAppearance {
        let text = try readText(field + ".text", maxBytes: ObjectAppearance.maxTextBytes)
        let textColor = try readUnitVector(field + ".textColor")
        let textAlpha = try readUnit(field + ".textAlpha")
        let color = try readUnitVector(field + ".color")
        let alpha = try readUnit(field + ".alpha")
        return ObjectAppearance(text: text, textColor: textColor, textAlpha: textAlpha, color: color, alpha: alpha)
    }

    /// Writes the appearance made valid (`clamped`), so the reader never refuses it.
    public mutating func writeAppearance(_ value: ObjectAppearance) {
        let valid = value.problem == nil ? value : value.clamped
        writeText(valid.text)
        writeVector(valid.textColor)
        writeFloatLE(valid.textAlpha)
        writeVector(valid.color)
        writeFloatLE(valid.alpha)
    }

    private mutating func readUnit(_ field: String) throws -> Float {
        let value = try readFloatLE(field)
        guard (0...1).contains(value) else { throw CodecError.invalidValue(field: field, reason: "\(value) is not in 0...1") }
        return value
    }

    private mutating func readUnitVector(_ field: String) throws -> Vector3 {
        Vector3(try readUnit(field + ".r"), try readUnit(field + ".g"), try readUnit(field + ".b"))
    }
}
