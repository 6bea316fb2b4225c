/// A template that cannot be read: the line and what was wrong there.
public struct SLTemplateError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "message template line \(line): \(reason)" }
}

extension SLTemplate {
    /// Reads a whole template: `version 2.0`, then messages in braces; `//` starts a comment.
    /// Names and numbers must be unique; numbers must fit their frequency's encoding.
    public static func parse(_ text: String) throws(SLTemplateError) -> SLTemplate {
        var parser = TemplateParser(tokens: TemplateToken.tokenize(text))
        return try parser.parseTemplate()
    }
}

struct TemplateToken: Equatable {
    var text: Substring
    var line: Int

    /// Words and single braces; comments and whitespace dropped.
    static func tokenize(_ text: String) -> [TemplateToken] {
        var tokens: [TemplateToken] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var content = line[...]
            if let comment = content.firstRange(of: "//") {
                content = content[..<comment.lowerBound]
            }
            var start: Substring.Index?
            var index = content.startIndex
            while index < content.endIndex {
                let character = content[index]
                if character == "{" || character == "}" || character.isWhitespace {
                    if let wordStart = start {
                        tokens.append(TemplateToken(text: content[wordStart..<index], line: lineNumber))
                        start = nil
                    }
                    if !character.isWhitespace {
                        tokens.append(TemplateToken(text: content[index...index], line: lineNumber))
                    }
                } else if start == nil {
                    start = index
                }
                index = content.index(after: index)
            }
            if let wordStart = start {
                tokens.append(TemplateToken(text: content[wordStart...], line: lineNumber))
            }
        }
        return tokens
    }
}

struct TemplateParser {
    var tokens: [TemplateToken]
    var position = 0

    init(tokens: [TemplateToken]) {
        self.tokens = tokens
    }

    private var lastLine: Int { tokens.last?.line ?? 1 }

    mutating func parseTemplate() throws(SLTemplateError) -> SLTemplate {
        try expect("version")
        let version = try word("the template version")
        guard version == "2.0" else {
            throw SLTemplateError(line: tokens[position - 1].line, reason: "version \(version) is not supported (2.0 is)")
        }
        var messages: [SLMessageSpec] = []
        var names: [String: Int] = [:]
        var numbers: [String: String] = [:]
        while position < tokens.count {
            let line = tokens[position].line
            let message = try parseMessage()
            if let earlier = names[message.name] {
                throw SLTemplateError(line: line, reason: "message \(message.name) is defined twice (first on line \(earlier))")
            }
            let key = "\(message.frequency.rawValue) \(message.number)"
            if let other = numbers[key] {
                throw SLTemplateError(line: line, reason: "message \(message.name) has the number \(key) of \(other)")
            }
            names[message.name] = line
            numbers[key] = message.name
            messages.append(message)
        }
        return SLTemplate(version: String(version), messages: messages)
    }

    private mutating func parseMessage() throws(SLTemplateError) -> SLMessageSpec {
        try expect("{")
        let name = try identifier("a message name")
        let frequencyLine = currentLine
        let frequencyWord = try word("the frequency of \(name)")
        guard let frequency = SLFrequency(rawValue: String(frequencyWord)) else {
            throw SLTemplateError(line: frequencyLine, reason: "\(name): unknown frequency \(frequencyWord) (High, Medium, Low or Fixed)")
        }
        let number = try messageNumber(frequency: frequency, message: name)
        let trustLine = currentLine
        let trust = try word("the trust of \(name)")
        guard trust == "Trusted" || trust == "NotTrusted" else {
            throw SLTemplateError(line: trustLine, reason: "\(name): \(trust) is not Trusted or NotTrusted")
        }
        let encodingLine = currentLine
        let encoding = try word("the encoding of \(name)")
        guard encoding == "Zerocoded" || encoding == "Unencoded" else {
            throw SLTemplateError(line: encodingLine, reason: "\(name): \(encoding) is not Zerocoded or Unencoded")
        }
        var message = SLMessageSpec(
            name: name, frequency: frequency, number: number, trusted: trust == "Trusted",
            zerocoded: encoding == "Zerocoded", blocks: [])
        while let next = peek, next != "{", next != "}" {
            let line = currentLine
            position += 1
            switch next {
            case "Deprecated": message.deprecated = true
            case "UDPDeprecated": message.udpDeprecated = true
            case "UDPBlackListed": message.udpBlackListed = true
            case "NotDeprecated": break
            default: throw SLTemplateError(line: line, reason: "\(name): unknown flag \(next)")
            }
        }
        var blockNames: Set<String> = []
        while peek == "{" {
            let line = currentLine
            let block = try parseBlock(message: name)
            guard blockNames.insert(block.name).inserted else {
                throw SLTemplateError(line: line, reason: "\(name): block \(block.name) is defined twice")
            }
            message.blocks.append(block)
        }
        try expect("}")
        return message
    }

    private mutating func parseBlock(message: String) throws(SLTemplateError) -> SLBlockSpec {
        try expect("{")
        let name = try identifier("a block name in \(message)")
        let quantityLine = currentLine
        let quantityWord = try word("the quantity of \(message).\(name)")
        let quantity: SLBlockQuantity
        switch quantityWord {
        case "Single": quantity = .single
        case "Variable": quantity = .variable
        case "Multiple":
            let count = try integer("the count of \(message).\(name)", in: 1...255)
            quantity = .multiple(count)
        default:
            throw SLTemplateError(line: quantityLine, reason: "\(message).\(name): \(quantityWord) is not Single, Multiple or Variable")
        }
        var fields: [SLFieldSpec] = []
        var fieldNames: Set<String> = []
        while peek == "{" {
            let line = currentLine
            let field = try parseField(path: "\(message).\(name)")
            guard fieldNames.insert(field.name).inserted else {
                throw SLTemplateError(line: line, reason: "\(message).\(name): field \(field.name) is defined twice")
            }
            fields.append(field)
        }
        try expect("}")
        return SLBlockSpec(name: name, quantity: quantity, fields: fields)
    }

    private mutating func parseField(path: String) throws(SLTemplateError) -> SLFieldSpec {
        try expect("{")
        let name = try identifier("a field name in \(path)")
        let typeLine = currentLine
        let typeWord = try word("the type of \(path).\(name)")
        let type: SLFieldType
        switch typeWord {
        case "U8": type = .u8
        case "U16": type = .u16
        case "U32": type = .u32
        case "U64": type = .u64
        case "S8": type = .s8
        case "S16": type = .s16
        case "S32": type = .s32
        case "S64": type = .s64
        case "F32": type = .f32
        case "F64": type = .f64
        case "LLVector3": type = .vector3
        case "LLVector3d": type = .vector3d
        case "LLVector4": type = .vector4
        case "LLQuaternion": type = .quaternion
        case "LLUUID": type = .uuid
        case "BOOL": type = .bool
        case "IPADDR": type = .ipAddress
        case "IPPORT": type = .ipPort
        case "Fixed": type = .fixed(try integer("the size of \(path).\(name)", in: 1...65535))
        case "Variable":
            let widthLine = currentLine
            let width = try integer("the length size of \(path).\(name)", in: 1...4)
            guard width == 1 || width == 2 else {
                throw SLTemplateError(line: widthLine, reason: "\(path).\(name): Variable \(width) is not Variable 1 or Variable 2")
            }
            type = .variable(width)
        default:
            throw SLTemplateError(line: typeLine, reason: "\(path).\(name): unknown type \(typeWord)")
        }
        try expect("}")
        return SLFieldSpec(name: name, type: type)
    }

    private mutating func messageNumber(frequency: SLFrequency, message: String) throws(SLTemplateError) -> UInt32 {
        let line = currentLine
        let text = try word("the number of \(message)")
        let parsed: UInt32? = text.hasPrefix("0x") || text.hasPrefix("0X")
            ? UInt32(text.dropFirst(2), radix: 16) : UInt32(text)
        guard let number = parsed else {
            throw SLTemplateError(line: line, reason: "\(message): \(text) is not a message number")
        }
        let valid: ClosedRange<UInt32> = switch frequency {
        case .high, .medium: 1...0xFE
        case .low: 1...0xFEFF
        case .fixed: 0xFFFF_FF00...0xFFFF_FFFF
        }
        guard valid.contains(number) else {
            throw SLTemplateError(line: line, reason: "\(message): \(frequency.rawValue) number \(text) is outside \(valid.lowerBound)...\(valid.upperBound)")
        }
        return number
    }

    // MARK: Tokens

    private var peek: Substring? { position < tokens.count ? tokens[position].text : nil }

    private var currentLine: Int { position < tokens.count ? tokens[position].line : lastLine }

    private mutating func expect(_ text: String) throws(SLTemplateError) {
        guard let next = peek else {
            throw SLTemplateError(line: lastLine, reason: "the file ends where \"\(text)\" was expected")
        }
        guard next == text else {
            throw SLTemplateError(line: currentLine, reason: "\"\(next)\" where \"\(text)\" was expected")
        }
        position += 1
    }

    private mutating func word(_ what: String) throws(SLTemplateError) -> Substring {
        guard let next = peek else {
            throw SLTemplateError(line: lastLine, reason: "the file ends where \(what) was expected")
        }
        guard next != "{", next != "}" else {
            throw SLTemplateError(line: currentLine, reason: "\"\(next)\" where \(what) was expected")
        }
        position += 1
        return next
    }

    private mutating func identifier(_ what: String) throws(SLTemplateError) -> String {
        let line = currentLine
        let text = try word(what)
        guard let first = text.first, first.isASCII, first.isLetter,
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            throw SLTemplateError(line: line, reason: "\(text) is not a valid name for \(what)")
        }
        return String(text)
    }

    private mutating func integer(_ what: String, in range: ClosedRange<Int>) throws(SLTemplateError) -> Int {
        let line = currentLine
        let text = try word(what)
        guard let value = Int(text), range.contains(value) else {
            throw SLTemplateError(line: line, reason: "\(text) is not a valid number for \(what) (\(range.lowerBound)...\(range.upperBound))")
        }
        return value
    }
}
