import TesseraTesting

// `ScenarioGrid` and `TestDatabases` moved from TesseraLocalGrid and TesseraStorage to
// TesseraTesting. Suites being changed elsewhere at the same time (AdminConsoleTests,
// AdminConsoleGridTests, GridServicesTests) still name them without importing TesseraTesting;
// these names keep them compiling. Remove them once those files import TesseraTesting.
typealias ScenarioGrid = TesseraTesting.ScenarioGrid
typealias TestDatabases = TesseraTesting.TestDatabases
