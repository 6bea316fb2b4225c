/// LSL's value types. `quaternion` is a spelling of `rotation`.
public enum LSLType: String, Sendable, Hashable, CaseIterable {
    case integer, float, string, key, vector, rotation, list
}

/// One named, typed parameter of an event or a built-in function.
public struct LSLParameter: Sendable, Hashable {
    public let type: LSLType
    public let name: String

    public init(_ type: LSLType, _ name: String) {
        self.type = type
        self.name = name
    }
}

/// A built-in constant; `value` is the text the definitions give (hex stays hex, vectors as `<x, y, z>`).
public struct LSLConstant: Sendable, Hashable {
    public let name: String
    public let type: LSLType
    public let value: String

    public init(_ name: String, _ type: LSLType, _ value: String) {
        self.name = name
        self.type = type
        self.value = value
    }
}

/// An event handler's name and parameters.
public struct LSLEventDefinition: Sendable, Hashable {
    public let name: String
    public let parameters: [LSLParameter]

    public init(_ name: String, _ parameters: [LSLParameter]) {
        self.name = name
        self.parameters = parameters
    }
}

/// A built-in function: `returnType` nil for void; `sleep` is the forced delay in seconds.
public struct LSLFunctionDefinition: Sendable, Hashable {
    public let name: String
    public let returnType: LSLType?
    public let parameters: [LSLParameter]
    public let sleep: Double
    public let id: Int

    public init(_ name: String, _ returnType: LSLType?, _ parameters: [LSLParameter], sleep: Double, id: Int) {
        self.name = name
        self.returnType = returnType
        self.parameters = parameters
        self.sleep = sleep
        self.id = id
    }
}

/// The built-in names of LSL, generated from `lsl_definitions.yaml`
/// (`scripts/generate-lsl-definitions.py`, docs/lsl.md).
public enum LSLDefinitions {
    public static let constants: [String: LSLConstant] =
        Dictionary(uniqueKeysWithValues: generatedConstants.map { ($0.name, $0) })
    public static let events: [String: LSLEventDefinition] =
        Dictionary(uniqueKeysWithValues: generatedEvents.map { ($0.name, $0) })
    public static let functions: [String: LSLFunctionDefinition] =
        Dictionary(uniqueKeysWithValues: generatedFunctions.map { ($0.name, $0) })
    public static let typeNames: Set<String> = Set(generatedTypeNames)
    public static let controls: Set<String> = Set(generatedControls)
}
