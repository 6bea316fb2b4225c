import TesseraTesting
import TesseraWorld

// `RegionHarness` and its helpers moved to TesseraTesting. These names keep every suite of
// this target (and suites being added elsewhere at the same time) compiling without an import
// of TesseraTesting in each file; the helpers' extensions are seen through this file's import.
typealias RegionHarness = TesseraTesting.RegionHarness

/// A fresh, readable agent id: the number in the last bytes.
func agent(_ number: UInt8) -> AgentID {
    TesseraTesting.agent(number)
}
