/// The arguments of a host function call, already of the definition's parameter types; read
/// by position, with the type's zero value for an argument that is missing or of another type.
public struct LSLArguments: Sendable {
    public var values: [LSLValue]

    public init(values: [LSLValue]) {
        self.values = values
    }

    public init(_ values: [LSLValue]) {
        self.values = values
    }

    public func integer(_ index: Int) -> Int32 {
        if index < values.count, case .integer(let v) = values[index] { return v }
        return 0
    }

    /// A float, or an integer as a float.
    public func float(_ index: Int) -> Float {
        guard index < values.count else { return 0 }
        switch values[index] {
        case .float(let v): return v
        case .integer(let v): return Float(v)
        default: return 0
        }
    }

    public func string(_ index: Int) -> String {
        guard index < values.count else { return "" }
        switch values[index] {
        case .string(let s), .key(let s): return s
        default: return ""
        }
    }

    public func vector(_ index: Int) -> LSLVector {
        if index < values.count, case .vector(let v) = values[index] { return v }
        return .zero
    }

    public func rotation(_ index: Int) -> LSLRotation {
        if index < values.count, case .rotation(let r) = values[index] { return r }
        return .identity
    }

    public func list(_ index: Int) -> [LSLValue] {
        if index < values.count, case .list(let items) = values[index] { return items }
        return []
    }
}
