import TesseraWorld
import XCTest

/// Kept in XCTest on purpose: the CI summary reads both runners' closing lines, and this
/// formula is the one fact every other role and every SL-compatible peer depends on.
final class RegionHandleXCTests: XCTestCase {
    func testHandleMatchesSecondLifeFormula() {
        let position = GridPosition(x: 1000, y: 1001)!
        XCTAssertEqual(position.handle.rawValue, UInt64(256 * 1000) << 32 | UInt64(256 * 1001))
        XCTAssertEqual(position.handle.gridPosition, position)
    }
}
