import TOMLKit

/// Reads one TOML table with typed accessors that name the file and key in every error, and
/// remembers which keys were read so that `finish()` can reject unknown (misspelt) ones.
struct ConfigReader {
    let file: String
    let path: String
    private let table: TOMLTable
    private var read: Set<String> = []

    init(file: String, path: String, table: TOMLTable) {
        self.file = file
        self.path = path
        self.table = table
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ problem: String) -> ConfigError {
        ConfigError(file: file, key: keyPath(key), problem: problem)
    }

    private mutating func value(_ key: String) -> TOMLValueConvertible? {
        read.insert(key)
        return table[key]
    }

    mutating func string(_ key: String, default fallback: String? = nil) throws -> String {
        guard let value = value(key) else {
            if let fallback { return fallback }
            throw error(key, "missing; expected a string")
        }
        guard let string = value.string else { throw error(key, "expected a string, found \(value.type)") }
        return string
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>, default fallback: Int? = nil) throws -> Int {
        guard let value = value(key) else {
            if let fallback { return fallback }
            throw error(key, "missing; expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        guard let int = value.int else { throw error(key, "expected an integer, found \(value.type)") }
        guard range.contains(int) else {
            throw error(key, "expected an integer in \(range.lowerBound)...\(range.upperBound), found \(int)")
        }
        return int
    }

    mutating func double(_ key: String, in range: ClosedRange<Double>, default fallback: Double? = nil) throws -> Double {
        guard let value = value(key) else {
            if let fallback { return fallback }
            throw error(key, "missing; expected a number in \(range.lowerBound)...\(range.upperBound)")
        }
        guard let number = value.double ?? value.int.map(Double.init) else {
            throw error(key, "expected a number, found \(value.type)")
        }
        guard range.contains(number) else {
            throw error(key, "expected a number in \(range.lowerBound)...\(range.upperBound), found \(number)")
        }
        return number
    }

    mutating func intPair(_ key: String, in range: ClosedRange<Int>) throws -> (Int, Int) {
        guard let value = value(key) else { throw error(key, "missing; expected [x, y]") }
        guard let array = value.array, array.count == 2, let x = array[0].int, let y = array[1].int else {
            throw error(key, "expected an array of two integers [x, y]")
        }
        guard range.contains(x), range.contains(y) else {
            throw error(key, "expected both integers in \(range.lowerBound)...\(range.upperBound), found [\(x), \(y)]")
        }
        return (x, y)
    }

    mutating func table(_ key: String) throws -> ConfigReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw error(key, "expected a table [\(keyPath(key))], found \(value.type)") }
        return ConfigReader(file: file, path: keyPath(key), table: table)
    }

    /// An array of tables (`[[key]]`), each with its own reader.
    mutating func tables(_ key: String) throws -> [ConfigReader] {
        guard let value = value(key) else { return [] }
        guard let array = value.array else { throw error(key, "expected an array of tables [[\(keyPath(key))]], found \(value.type)") }
        return try array.enumerated().map { index, element in
            guard let table = element.table else {
                throw error("\(key)[\(index)]", "expected a table, found \(element.type)")
            }
            return ConfigReader(file: file, path: "\(keyPath(key))[\(index)]", table: table)
        }
    }

    /// Fails on the first key that no accessor asked for.
    func finish() throws {
        for key in table.keys.sorted() where !read.contains(key) {
            throw error(key, "unknown key; expected one of: \(read.sorted().joined(separator: ", "))")
        }
    }
}
