extension LSLValue {
    /// `(type)value`, with SL's rules (docs/lsl.md, "Casts").
    public func cast(to type: LSLType) -> LSLValue {
        switch (self, type) {
        case (.integer(let v), .float): return .float(Float(v))
        case (.integer(let v), .string): return .string(String(v))
        case (.float(let v), .string): return .string(String(v))
        case (.string(let s), .key): return .key(s)
        case (.key(let s), .string): return .string(s)
        case (_, .list): return self.type == .list ? self : .list([self])
        default: return self.type == type ? self : LSLValue.zero(of: type)
        }
    }
}
