import Foundation
import Testing
import TesseraClientManager
import TesseraClientProtocol
import TesseraWire
import TesseraWorld

/// A region change in the middle of a client's event stream: the view forgets the old region's
/// entities, and interest changes of the old region that arrive after the change are ignored.
@Suite struct ClientViewRegionChangeTests {
    let west = GridPosition(x: 1000, y: 1000)!.handle
    let east = GridPosition(x: 1001, y: 1000)!.handle

    func change(to region: RegionHandle, localID: LocalID) -> ClientEvent {
        .message(.regionChanged(RegionChanged(kind: .crossing, localID: localID, regionName: "East", regionHandle: region, startedMillis: 1)))
    }

    @Test func theNewRegionsFirstViewIsShownAndLateEventsOfTheOldRegionAreNot() throws {
        let table = Fixture.table([1, 2, 3, 7])
        var view = ClientView()
        let welcome = Welcome(
            agentID: UUID(), localID: 1, regionName: "West", regionHandle: west, frameRate: 45, updateRate: 10,
            viewDistance: 64, sessionToken: "")
        _ = try view.tick([.message(.welcome(welcome)), .enter([1, 2], region: west)], table: table)
        #expect(Set(view.known.keys) == [1, 2])

        // The switch: RegionChanged, then the new region's first view, then a late enter of the old one.
        let tick = try view.tick([change(to: east, localID: 7), .enter([7, 3], region: east), .enter([2], region: west)], table: table)
        #expect(tick.enters.map(\.localID).sorted() == [3, 7], "the old region's late enter is ignored")
        #expect(Set(view.known.keys) == [3, 7])
        #expect(view.viewer == 7)
        // A late leave of the old region does not remove an entity of the new one with the same id.
        _ = try view.tick([.leave([3], region: west)], table: table)
        #expect(Set(view.known.keys) == [3, 7])
        _ = try view.tick([.leave([3], region: east)], table: table)
        #expect(Set(view.known.keys) == [7])
    }
}
