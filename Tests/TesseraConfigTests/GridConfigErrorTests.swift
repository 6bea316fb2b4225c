import Testing
import TesseraConfig

/// Every rejected config names the file and the exact dotted key, and says what is wrong.
@Suite struct GridConfigErrorTests {
    /// Parses `text`, requires a `ConfigError`, and checks its file, key and description.
    private func expectError(
        _ text: String, key: String, mentions words: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let error = try #require(throws: ConfigError.self, sourceLocation: sourceLocation) {
            try GridConfig.parse(text, file: ConfigSamples.file)
        }
        #expect(error.file == ConfigSamples.file, sourceLocation: sourceLocation)
        #expect(error.key == key, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(ConfigSamples.file + ": "), sourceLocation: sourceLocation)
        if !key.isEmpty {
            #expect(error.description.contains(key), "\(error.description)", sourceLocation: sourceLocation)
        }
        for word in words {
            #expect(error.description.contains(word), "\(error.description) lacks \"\(word)\"", sourceLocation: sourceLocation)
        }
    }

    // MARK: Unknown keys

    @Test func unknownTopLevelKey() throws {
        try expectError("colour = \"blue\"\n" + ConfigSamples.full, key: "colour", mentions: ["unknown key"])
    }

    @Test func unknownKeyInGrid() throws {
        let text = ConfigSamples.full(inserting: "motd = \"hello\"", after: "name = \"Test Grid\"")
        try expectError(text, key: "grid.motd", mentions: ["unknown key", "secret"])
    }

    @Test func unknownKeyInRegionNode() throws {
        let text = ConfigSamples.full(replacing: "host = \"10.0.0.6\"", with: "hots = \"10.0.0.6\"")
        try expectError(text, key: "region_node[1].hots", mentions: ["unknown key", "host"])
    }

    @Test func misspeltKeyInRegion() throws {
        let text = ConfigSamples.full(replacing: "frame_rate = 30", with: "frame_rte = 30")
        try expectError(text, key: "region_node[0].region[0].frame_rte", mentions: ["unknown key", "frame_rate"])
    }

    @Test func misspeltKeyInSecondRegion() throws {
        let text = ConfigSamples.full(replacing: "max_avatars = 50", with: "max_avatar = 50")
        try expectError(text, key: "region_node[0].region[1].max_avatar", mentions: ["unknown key"])
    }

    @Test func unknownKeyInClientManager() throws {
        let text = ConfigSamples.full(replacing: "update_rate = 20", with: "update_rte = 20")
        try expectError(text, key: "client_manager[0].update_rte", mentions: ["unknown key", "update_rate"])
    }

    // MARK: Types and ranges

    @Test func portAsAString() throws {
        let text = ConfigSamples.full(replacing: "port = 9000", with: "port = \"9000\"")
        try expectError(text, key: "client_manager[0].port", mentions: ["expected an integer"])
    }

    @Test func nameAsANumber() throws {
        let text = ConfigSamples.full(replacing: "name = \"Test Grid\"", with: "name = 42")
        try expectError(text, key: "grid.name", mentions: ["expected a string"])
    }

    @Test func frameRateZero() throws {
        let text = ConfigSamples.full(replacing: "frame_rate = 30", with: "frame_rate = 0")
        try expectError(text, key: "region_node[0].region[0].frame_rate", mentions: ["1...200", "found 0"])
    }

    @Test func updateRateTooHigh() throws {
        let text = ConfigSamples.full(replacing: "update_rate = 20", with: "update_rate = 1000")
        try expectError(text, key: "client_manager[0].update_rate", mentions: ["1...60", "found 1000"])
    }

    @Test func clientManagerPortTooHigh() throws {
        let text = ConfigSamples.full(replacing: "port = 9000", with: "port = 70000")
        try expectError(text, key: "client_manager[0].port", mentions: ["0...65535", "found 70000"])
    }

    @Test func regionNodePortTooHigh() throws {
        let text = ConfigSamples.full(replacing: "port = 9101", with: "port = 70000")
        try expectError(text, key: "region_node[1].port", mentions: ["0...65535", "found 70000"])
    }

    @Test func viewDistanceBelowOne() throws {
        let text = ConfigSamples.full(replacing: "view_distance = 48.5", with: "view_distance = 0.5")
        try expectError(text, key: "region_node[0].region[0].view_distance", mentions: ["expected a number", "0.5"])
    }

    @Test func flushIntervalOutOfRange() throws {
        let text = ConfigSamples.full(inserting: "flush_interval_seconds = 0", after: "max_objects = 700")
        try expectError(text, key: "region_node[0].region[0].flush_interval_seconds", mentions: ["0.1...3600.0", "found 0"])
    }

    @Test func gridServicesWithoutPortOrWithAnUnknownKey() throws {
        try expectError(ConfigSamples.full + "\n[grid_services]\nname = \"g\"\n", key: "grid_services.port", mentions: ["missing"])
        try expectError(
            ConfigSamples.full + "\n[grid_services]\nport = 9200\nsession_lifetime = 60\n",
            key: "grid_services.session_lifetime", mentions: ["unknown key"])
        try expectError(
            ConfigSamples.full + "\n[grid_services]\nport = 9200\nsession_lifetime_seconds = 59\n",
            key: "grid_services.session_lifetime_seconds", mentions: ["60...2592000", "found 59"])
    }

    @Test func missingRequiredPort() throws {
        let text = ConfigSamples.full(replacing: "port = 9000\n", with: "")
        try expectError(text, key: "client_manager[0].port", mentions: ["missing"])
    }

    @Test(arguments: ["[1000]", "[1000, 1000, 3]", "\"1000,1000\"", "[1000, \"x\"]", "[1.5, 2.5]"])
    func positionNotAPairOfIntegers(position: String) throws {
        let text = ConfigSamples.full(replacing: "position = [1000, 1001]", with: "position = \(position)")
        try expectError(text, key: "region_node[1].region[0].position", mentions: ["two integers"])
    }

    @Test func negativePosition() throws {
        let text = ConfigSamples.full(replacing: "position = [1000, 1001]", with: "position = [-1, 5]")
        try expectError(text, key: "region_node[1].region[0].position", mentions: ["found [-1, 5]"])
    }

    @Test func shortSecret() throws {
        let text = ConfigSamples.minimal(replacing: "secret = \"sixteen-chars-ok\"", with: "secret = \"fifteen-chars!!\"")
        try expectError(text, key: "grid.secret", mentions: ["at least 16"])
    }

    // MARK: Cross-checks

    @Test func duplicateRegionNames() throws {
        let text = ConfigSamples.full(replacing: "name = \"Gamma\"", with: "name = \"Alpha\"")
        try expectError(text, key: "region_node[1].region[0].name", mentions: ["\"Alpha\"", "used twice"])
    }

    @Test func duplicateGridPositions() throws {
        let text = ConfigSamples.full(replacing: "position = [1001, 1000]", with: "position = [1000, 1000]")
        try expectError(text, key: "region_node[0].region[1].position", mentions: ["grid position", "used twice"])
    }

    @Test func defaultRegionNamingNoRegion() throws {
        let text = ConfigSamples.full(replacing: "default_region = \"Beta\"", with: "default_region = \"Delta\"")
        try expectError(text, key: "grid.default_region", mentions: ["no region", "\"Delta\""])
    }

    @Test func regionNodeWithoutRegions() throws {
        let text = """
            [grid]
            name = "G"
            secret = "sixteen-chars-ok"
            [[region_node]]
            name = "empty"
            port = 9100
            [[client_manager]]
            name = "edge"
            port = 9000
            """
        try expectError(text, key: "region_node[0].region", mentions: ["at least one"])
    }

    // MARK: Missing sections and syntax

    @Test func missingGridTable() throws {
        let text = ConfigSamples.full(replacing: "[grid]\nname = \"Test Grid\"\nsecret_file = \"grid-secret\"\ndefault_region = \"Beta\"\n", with: "")
        try expectError(text, key: "grid", mentions: ["missing", "[grid]"])
    }

    @Test func noRegionNode() throws {
        let text = """
            [grid]
            name = "G"
            secret = "sixteen-chars-ok"
            [[client_manager]]
            name = "edge"
            port = 9000
            """
        try expectError(text, key: "region_node", mentions: ["at least one", "[[region_node]]"])
    }

    @Test func noClientManager() throws {
        let cut = ConfigSamples.full.range(of: "[[client_manager]]")
        let text = String(ConfigSamples.full[..<(try #require(cut)).lowerBound])
        try expectError(text, key: "client_manager", mentions: ["at least one", "[[client_manager]]"])
    }

    @Test func invalidTOMLNamesFileAndLine() throws {
        // Line 3 has no closing quote.
        let text = "[grid]\nname = \"Test Grid\"\nsecret = \"unterminated\n" + "default_region = \"Beta\"\n"
        try expectError(text, key: "", mentions: ["not valid TOML", "line 3"])
    }

    @Test func invalidTOMLLaterInTheFile() throws {
        let text = ConfigSamples.full(replacing: "max_clients = 1234", with: "max_clients = = 1234")
        let line = ConfigSamples.full.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("max_clients") }.map { $0 + 1 }
        try expectError(text, key: "", mentions: ["not valid TOML", "line \(try #require(line))"])
    }
}
