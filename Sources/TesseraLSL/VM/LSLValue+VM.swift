extension LSLValue {
    /// The text of a string or key value (empty for other types).
    var text: String {
        switch self {
        case .string(let s), .key(let s): s
        default: ""
        }
    }

    /// Appends in place: a list gets the other list's elements or the value; a string gets text.
    /// The payload is taken out of `self` first, so an unshared array or string grows in place.
    mutating func append(_ other: LSLValue) {
        if case .list(var elements) = self {
            self = .integer(0)
            if case .list(let more) = other {
                elements.append(contentsOf: more)
            } else {
                elements.append(other)
            }
            self = .list(elements)
        } else if case .string(var text) = self {
            self = .integer(0)
            if case .string(let more) = other {
                text += more
            } else if case .key(let more) = other {
                text += more
            }
            self = .string(text)
        }
    }
}
