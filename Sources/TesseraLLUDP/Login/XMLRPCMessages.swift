/// An XML-RPC `<methodCall>`: what a viewer POSTs to the login URI.
public struct XMLRPCRequest: Sendable, Equatable {
    public static let maxMethodNameBytes = 128

    public var methodName: String
    public var params: [XMLRPCValue]

    public init(methodName: String, params: [XMLRPCValue]) {
        self.methodName = methodName
        self.params = params
    }

    public static func parse(_ bytes: [UInt8], limits: XMLRPCLimits = .login) throws(XMLRPCError) -> XMLRPCRequest {
        let root = try XMLRPCDocument.root(bytes, limits: limits, name: "methodCall")
        guard let nameElement = root.children.first, nameElement.name == "methodName" else {
            if let first = root.children.first { throw .unexpectedElement(first.name, inside: "methodCall", expected: "<methodName>") }
            throw .missingElement("methodName", inside: "methodCall")
        }
        guard nameElement.children.isEmpty else {
            throw .unexpectedElement(nameElement.children[0].name, inside: "methodName", expected: "text")
        }
        let name = nameElement.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.utf8.count <= maxMethodNameBytes,
              name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.:/".unicodeScalars.contains($0) })
        else { throw .badValue(element: "methodName", value: LLSDXML.clip(name)) }
        var params: [XMLRPCValue] = []
        for element in root.children.dropFirst() {
            guard element.name == "params", root.children.count == 2 else {
                throw .unexpectedElement(element.name, inside: "methodCall", expected: "one <params>")
            }
            params = try XMLRPCDocument.params(element)
        }
        return XMLRPCRequest(methodName: name, params: params)
    }

    /// The document, as a client sends it.
    public func encode() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall><methodName>" + XMLEscape.text(methodName)
            + "</methodName><params>"
        for param in params {
            out += "<param>"
            param.write(to: &out)
            out += "</param>"
        }
        return out + "</params></methodCall>"
    }
}

/// An XML-RPC `<methodResponse>`: one value, or a fault.
public enum XMLRPCResponse: Sendable, Equatable {
    case value(XMLRPCValue)
    case fault(code: Int32, message: String)

    /// The document: `<?xml …?><methodResponse><params><param><value>…` or `…<fault><value><struct>`
    /// with `faultCode` and `faultString`.
    public func encode() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse>"
        switch self {
        case .value(let value):
            out += "<params><param>"
            value.write(to: &out)
            out += "</param></params>"
        case .fault(let code, let message):
            out += "<fault>"
            XMLRPCValue.struct(["faultCode": .int(code), "faultString": .string(message)]).write(to: &out)
            out += "</fault>"
        }
        return out + "</methodResponse>"
    }

    /// Reads a response (what a client, such as the bots, gets back from the login).
    public static func parse(_ bytes: [UInt8], limits: XMLRPCLimits = XMLRPCLimits(maxBytes: 1 << 20, maxDepth: 32))
        throws(XMLRPCError) -> XMLRPCResponse {
        let root = try XMLRPCDocument.root(bytes, limits: limits, name: "methodResponse")
        guard root.children.count == 1 else {
            if root.children.isEmpty { throw .missingElement("params", inside: "methodResponse") }
            throw .unexpectedElement(root.children[1].name, inside: "methodResponse", expected: "one <params> or <fault>")
        }
        let body = root.children[0]
        switch body.name {
        case "params":
            let params = try XMLRPCDocument.params(body)
            guard params.count == 1 else { throw .missingElement("param", inside: "params") }
            return .value(params[0])
        case "fault":
            guard body.textIsBlank else { throw .unexpectedContent(element: "fault") }
            guard body.children.count == 1, body.children[0].name == "value" else { throw .missingElement("value", inside: "fault") }
            let fault = try XMLRPCValue.parse(body.children[0])
            guard let code = fault["faultCode"]?.intValue, let message = fault["faultString"]?.stringValue else {
                throw .missingElement("faultCode and faultString", inside: "fault")
            }
            return .fault(code: code, message: message)
        default:
            throw .unexpectedElement(body.name, inside: "methodResponse", expected: "<params> or <fault>")
        }
    }
}

enum XMLRPCDocument {
    static func root(_ bytes: [UInt8], limits: XMLRPCLimits, name: String) throws(XMLRPCError) -> XMLElement {
        let root: XMLElement
        do {
            root = try XMLTree.parse(bytes, maxDepth: limits.maxDepth, maxBytes: limits.maxBytes)
        } catch {
            throw .document(error)
        }
        guard root.name == name else { throw .unexpectedElement(root.name, inside: "document", expected: "<\(name)>") }
        guard root.textIsBlank else { throw .unexpectedContent(element: name) }
        return root
    }

    static func params(_ element: XMLElement) throws(XMLRPCError) -> [XMLRPCValue] {
        guard element.textIsBlank else { throw .unexpectedContent(element: "params") }
        var params: [XMLRPCValue] = []
        for param in element.children {
            guard param.name == "param" else { throw .unexpectedElement(param.name, inside: "params", expected: "<param>") }
            guard param.textIsBlank else { throw .unexpectedContent(element: "param") }
            guard param.children.count == 1, param.children[0].name == "value" else { throw .missingElement("value", inside: "param") }
            params.append(try XMLRPCValue.parse(param.children[0]))
        }
        return params
    }
}
