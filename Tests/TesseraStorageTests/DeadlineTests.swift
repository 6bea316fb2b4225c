import Foundation
import Testing
@testable import TesseraStorage

@Suite("Deadlines on store calls")
struct DeadlineTests {
    @Test("work that finishes in time returns its value; its errors come through unchanged")
    func inTime() async throws {
        #expect(try await withDeadline("quick", timeout: .seconds(60)) { 42 } == 42)
        await #expect(throws: InventoryError.unknownItem) {
            try await withDeadline("refused", timeout: .seconds(60)) { throw InventoryError.unknownItem }
        }
    }

    @Test("work that never finishes, even when cancelled, fails with timedOut")
    func neverFinishes() async throws {
        // Like a query on a connection the server closed: suspended, deaf to cancellation.
        let stuck = Locked<CheckedContinuation<Void, Never>?>(nil)
        await #expect(throws: StorageError.timedOut(operation: "stuck", seconds: 0.2)) {
            try await withDeadline("stuck", timeout: .milliseconds(200)) {
                await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
            }
        }
        stuck.withLock { $0 }?.resume()
    }
}
