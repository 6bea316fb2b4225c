/// Text that PostgreSQL can store: a `text` column holds any Unicode but U+0000. Every decoder
/// refuses U+0000 in text fields (`ByteBuffer.readText`), the console refuses it in JSON and
/// query strings, and the stores check again before writing, so one bad string can never make
/// a statement fail that carries other rows.
public enum StorableText {
    /// The longest object or item name a store accepts, in characters (Unicode scalars,
    /// PostgreSQL's `char_length`).
    public static let maxNameCharacters = 63

    /// True when `text` contains U+0000.
    public static func containsNUL(_ text: String) -> Bool {
        text.utf8.contains(0)
    }

    /// Why `text` cannot be stored in a column of at most `maxCharacters` characters that
    /// needs at least one, or nil when it can.
    public static func problem(_ text: String, maxCharacters: Int, allowEmpty: Bool = false) -> String? {
        if containsNUL(text) { return "contains U+0000 (NUL), which cannot be stored" }
        let count = text.unicodeScalars.count
        if count == 0, !allowEmpty { return "is empty" }
        if count > maxCharacters { return "has \(count) characters, at most \(maxCharacters) allowed" }
        return nil
    }
}
