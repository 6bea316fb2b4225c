import Foundation
import TesseraWorld

/// Where a viewer asks to arrive: the login's `start` parameter.
public enum StartLocation: Sendable, Equatable {
    /// `last`: where the avatar last was.
    case last
    /// `home`: the avatar's home.
    case home
    /// `uri:Region Name&x&y&z`: a region by name and a position in it, in metres.
    case region(name: String, x: Float, y: Float, z: Float)

    /// The highest `z` accepted, in metres (the viewer's build ceiling).
    public static let maxHeight: Float = 4096

    /// What the login reply's `start_location` says: `last`, `home` or `url`.
    public var replyName: String {
        switch self {
        case .last: "last"
        case .home: "home"
        case .region: "url"
        }
    }

    /// Reads the `start` parameter. `last` and `home` are matched without regard to case. In
    /// `uri:Region&x&y&z` XML references left by a viewer's double escaping are resolved
    /// (`&amp;` → `&`), then the region name may contain `%XX` escapes (`%20`) or plain spaces;
    /// `+` is kept as a plus sign, since region names may contain one. The three numbers are
    /// decimal, x and y within 0...256 and z within 0...4096 — anything else is refused.
    public init(parsing text: String) throws(ViewerLoginError) {
        func bad(_ problem: String) -> ViewerLoginError { ViewerLoginError(field: "start", problem: problem) }
        switch text.lowercased() {
        case "last":
            self = .last
            return
        case "home":
            self = .home
            return
        default:
            break
        }
        guard text.hasPrefix("uri:") else {
            throw bad("expected last, home or uri:Region&x&y&z, got \"\(LLSDXML.clip(text))\"")
        }
        let parts = Self.unescapedXML(String(text.dropFirst(4))).split(separator: "&", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { throw bad("expected uri:Region&x&y&z, got \"\(LLSDXML.clip(text))\"") }
        let escaped = parts.dropLast(3).joined(separator: "&")
        guard let name = escaped.removingPercentEncoding else { throw bad("region name has a bad %-escape") }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw bad("region name is empty") }
        guard trimmed.utf8.count <= maxNameBytes else { throw bad("region name is longer than \(maxNameBytes) bytes") }
        guard trimmed.unicodeScalars.allSatisfy({ !$0.properties.generalCategory.isControl }) else {
            throw bad("region name has a control character")
        }
        let numbers = parts.suffix(3).map(String.init)
        var coordinates: [Float] = []
        for (axis, (number, limit)) in zip(["x", "y", "z"], zip(numbers, [regionSize, regionSize, Self.maxHeight])) {
            guard let value = Self.coordinate(number), value <= limit else {
                throw bad("\(axis) must be a number from 0 to \(Int(limit)), got \"\(LLSDXML.clip(number))\"")
            }
            coordinates.append(value)
        }
        self = .region(name: trimmed, x: coordinates[0], y: coordinates[1], z: coordinates[2])
    }

    /// A decimal number (digits, a point, an exponent as C++ streams write small floats), at
    /// most 16 characters, finite and not negative; nil otherwise.
    static func coordinate(_ text: String) -> Float? {
        guard !text.isEmpty, text.utf8.count <= 16,
              text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || Array(".eE+-".utf8).contains($0) }),
              let value = Float(text), value.isFinite, value >= 0
        else { return nil }
        return value
    }

    /// Viewers XML-escape the whole `uri:` string before their XML-RPC library escapes it again,
    /// so after one XML decoding it may still read `Region&amp;128&amp;128&amp;0`: the five
    /// predefined references are resolved once more (`&amp;` last).
    static func unescapedXML(_ text: String) -> String {
        guard text.contains("&") && text.contains(";") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension Unicode.GeneralCategory {
    var isControl: Bool {
        switch self {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse: true
        default: false
        }
    }
}
