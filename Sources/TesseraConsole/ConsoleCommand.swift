import Foundation

/// One line of the OpenSimulator-style command console (`POST /console`, `tessera console`),
/// parsed. Words are split on spaces; "double quotes" keep spaces in one word. Avatar names
/// may be given unquoted (`kick user Ada Lovelace go home`): the longest run of words that
/// names an avatar in the grid wins, so the executor resolves them (`ConsoleLine.words`).
enum ConsoleCommand: Equatable {
    case help
    case showRegions
    case showRegion(String)
    case showUsers
    case showAccounts(search: String?)
    case showUptime
    case showLogins
    case alert(String)
    case alertRegion(region: String, message: String)
    /// The words after `alert-user`: the avatar's name, then the message.
    case alertUser([String])
    case kickUser([String])
    /// The words after `teleport user`: the avatar's name, then the region.
    case teleportUser([String])
    case loginDisable(String)
    case loginEnable
    case restartRegion(region: String, message: String)
    case moveRegion(region: String, node: String)
    case drainNode(String)

    static let helpLines: [String] = [
        "Commands (names with spaces may be quoted; avatar names may also be given as words):",
        "  help                                   this list",
        "  show regions                           every online region with its node, agents, objects, fps and dilation",
        "  show region NAME                       one region in detail",
        "  show users                             the avatars in the grid now: name, region, position, since, client manager",
        "  show accounts [SEARCH]                 accounts whose name contains SEARCH",
        "  show uptime                            how long the console has been up",
        "  show logins                            whether non-admins may log in",
        "  alert MESSAGE                          an alert to every avatar in the grid",
        "  alert-region REGION MESSAGE            an alert to the avatars of one region",
        "  alert-user NAME MESSAGE                an alert to one avatar",
        "  kick user NAME [MESSAGE]               remove an avatar from the grid, telling it why",
        "  teleport user NAME REGION              send an avatar to the centre of a region",
        "  login disable [MESSAGE]                refuse non-admin logins with the message",
        "  login enable                           let everyone log in again",
        "  restart region NAME [MESSAGE]          move the region's avatars to a neighbour (or log them out), reload its scene",
        "  move region NAME to NODE               move the running region, its avatars and objects, to another region node",
        "  drain node NODE                        move every region off a region node (before maintenance)",
    ]

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case unknown(String)
        case missing(String, usage: String)
        case unbalancedQuote

        var description: String {
            switch self {
            case .empty: "empty command; try help"
            case .unknown(let line): "unknown command: \(line) (try help)"
            case .missing(let what, let usage): "missing \(what); usage: \(usage)"
            case .unbalancedQuote: "a double quote is not closed"
            }
        }
    }

    static func parse(_ line: String) throws(ParseError) -> ConsoleCommand {
        let words = try words(line)
        guard let first = words.first?.lowercased() else { throw .empty }
        let rest = Array(words.dropFirst())
        let second = rest.first?.lowercased()
        let tail = Array(rest.dropFirst())
        func text(_ words: [String]) -> String { words.joined(separator: " ") }
        switch (first, second) {
        case ("help", _), ("?", _): return .help
        case ("show", "regions"): return .showRegions
        case ("show", "region"):
            guard !tail.isEmpty else { throw .missing("a region name", usage: "show region NAME") }
            return .showRegion(text(tail))
        case ("show", "users"), ("show", "agents"): return .showUsers
        case ("show", "accounts"): return .showAccounts(search: tail.isEmpty ? nil : text(tail))
        case ("show", "uptime"): return .showUptime
        case ("show", "logins"), ("login", "status"): return .showLogins
        case ("alert", _):
            guard !rest.isEmpty else { throw .missing("a message", usage: "alert MESSAGE") }
            return .alert(text(rest))
        case ("alert-region", _):
            guard rest.count >= 2 else { throw .missing("a region and a message", usage: "alert-region REGION MESSAGE") }
            return .alertRegion(region: rest[0], message: text(tail))
        case ("alert-user", _):
            guard rest.count >= 2 else { throw .missing("a name and a message", usage: "alert-user NAME MESSAGE") }
            return .alertUser(rest)
        case ("kick", "user"):
            guard !tail.isEmpty else { throw .missing("a name", usage: "kick user NAME [MESSAGE]") }
            return .kickUser(tail)
        case ("teleport", "user"):
            guard tail.count >= 2 else { throw .missing("a name and a region", usage: "teleport user NAME REGION") }
            return .teleportUser(tail)
        case ("login", "disable"): return .loginDisable(text(tail))
        case ("login", "enable"): return .loginEnable
        case ("restart", "region"):
            guard let region = tail.first else { throw .missing("a region name", usage: "restart region NAME [MESSAGE]") }
            return .restartRegion(region: region, message: text(Array(tail.dropFirst())))
        case ("move", "region"):
            // The last "to" splits: region names may hold spaces (and the word "to"), node names do not.
            let usage = "move region NAME to NODE"
            guard let split = tail.lastIndex(where: { $0.lowercased() == "to" }), split > 0 else {
                throw .missing("a region name and a node", usage: usage)
            }
            guard split + 1 < tail.count else { throw .missing("a node", usage: usage) }
            return .moveRegion(region: text(Array(tail[..<split])), node: text(Array(tail[(split + 1)...])))
        case ("drain", "node"):
            guard !tail.isEmpty else { throw .missing("a node name", usage: "drain node NODE") }
            return .drainNode(text(tail))
        default:
            throw .unknown(line.trimmingCharacters(in: .whitespaces))
        }
    }

    /// Splits on runs of spaces; a double-quoted run is one word without its quotes.
    static func words(_ line: String) throws(ParseError) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character.isWhitespace, !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        guard !quoted else { throw .unbalancedQuote }
        if started { words.append(current) }
        return words
    }

    /// Splits `words` into the longest leading run that `isName` accepts and the rest.
    static func splitName(_ words: [String], isName: (String) -> Bool) -> (name: String, rest: [String])? {
        for count in stride(from: words.count, through: 1, by: -1) {
            let name = words.prefix(count).joined(separator: " ")
            if isName(name) { return (name, Array(words.dropFirst(count))) }
        }
        return nil
    }
}
