/// Splits a SQL script into statements at top-level semicolons, skipping those inside
/// quotes, quoted identifiers, comments and dollar-quoted bodies. PostgreSQL's extended
/// protocol takes one statement at a time, so a migration file is sent statement by statement
/// inside one transaction.
enum SQLStatements {
    static func split(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty, !isOnlyComments(statement) { statements.append(statement) }
            current = String.UnicodeScalarView()
        }
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "-", next == "-" {
                while index < characters.count, characters[index] != "\n" { current.append(characters[index]); index += 1 }
                continue
            }
            if character == "/", next == "*" {
                let end = find("*/", in: characters, from: index + 2) ?? characters.count
                current.append(contentsOf: characters[index..<min(end + 2, characters.count)])
                index = end + 2
                continue
            }
            if character == "'" || character == "\"" {
                var end = index + 1
                while end < characters.count, characters[end] != character { end += 1 }
                current.append(contentsOf: characters[index..<min(end + 1, characters.count)])
                index = end + 1
                continue
            }
            if character == "$", let tagEnd = dollarTagEnd(characters, from: index) {
                let tag = Array(characters[index...tagEnd])
                let close = find(String(String.UnicodeScalarView(tag)), in: characters, from: tagEnd + 1) ?? characters.count
                let end = min(close + tag.count, characters.count)
                current.append(contentsOf: characters[index..<end])
                index = end
                continue
            }
            if character == ";" {
                flush()
                index += 1
                continue
            }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }

    private static func dollarTagEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "$" { return index }
            guard character.properties.isAlphabetic || character == "_" || ("0"..."9").contains(character) else { return nil }
            index += 1
        }
        return nil
    }

    private static func find(_ needle: String, in characters: [Unicode.Scalar], from start: Int) -> Int? {
        let pattern = Array(needle.unicodeScalars)
        guard !pattern.isEmpty, start <= characters.count - pattern.count else { return nil }
        for index in start...(characters.count - pattern.count) where Array(characters[index..<index + pattern.count]) == pattern {
            return index
        }
        return nil
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
