/// A vector `<x, y, z>`: three 32-bit floats, as SL stores them.
public struct LSLVector: Sendable, Hashable {
    public var x: Float
    public var y: Float
    public var z: Float

    public init(_ x: Float, _ y: Float, _ z: Float) {
        self.x = x
        self.y = y
        self.z = z
    }

    public static let zero = LSLVector(0, 0, 0)
}

/// A rotation (quaternion) `<x, y, z, s>`: four 32-bit floats.
public struct LSLRotation: Sendable, Hashable {
    public var x: Float
    public var y: Float
    public var z: Float
    public var s: Float

    public init(_ x: Float, _ y: Float, _ z: Float, _ s: Float) {
        self.x = x
        self.y = y
        self.z = z
        self.s = s
    }

    public static let identity = LSLRotation(0, 0, 0, 1)
}

/// One LSL value with its type. Lists hold any value but a list.
public enum LSLValue: Sendable, Hashable {
    case integer(Int32)
    case float(Float)
    case string(String)
    case key(String)
    case vector(LSLVector)
    case rotation(LSLRotation)
    case list([LSLValue])

    public var type: LSLType {
        switch self {
        case .integer: .integer
        case .float: .float
        case .string: .string
        case .key: .key
        case .vector: .vector
        case .rotation: .rotation
        case .list: .list
        }
    }

    /// The value a variable of `type` holds before anything is stored in it.
    public static func zero(of type: LSLType) -> LSLValue {
        switch type {
        case .integer: .integer(0)
        case .float: .float(0)
        case .string: .string("")
        case .key: .key("")
        case .vector: .vector(.zero)
        case .rotation: .rotation(.identity)
        case .list: .list([])
        }
    }
}

/// What stops a script at run time. SL shows these to the owner as "Script run-time error".
public struct LSLRuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Integer division or modulo by zero, float division by zero (SL: "Math Error").
        case mathError
        /// The script's memory (64 KiB) is exhausted (SL: "Stack-Heap Collision").
        case stackHeapCollision
        /// A host (world) function refused its arguments or failed.
        case hostError
        /// Anything else a built-in refuses, with its message.
        case libraryError
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static let mathError = LSLRuntimeError(.mathError, "Math Error")
    public static let stackHeapCollision = LSLRuntimeError(.stackHeapCollision, "Stack-Heap Collision")

    public var description: String { message }
}
