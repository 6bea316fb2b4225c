/// Text as it is written inside an XML element or a double-quoted attribute.
///
/// `&`, `<`, `>` and `"` become references; a carriage return becomes `&#13;` (a reader would
/// otherwise turn it into a line feed). Characters XML 1.0 cannot carry at all — the C0 controls
/// other than tab, line feed and carriage return, U+FFFE and U+FFFF — are **replaced by U+FFFD**
/// (the replacement character), so a document is always well-formed and the text keeps its length
/// in characters.
public enum XMLEscape {
    public static func text(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\r": result += "&#13;"
            default: result.unicodeScalars.append(XMLTree.isAllowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return result
    }
}
