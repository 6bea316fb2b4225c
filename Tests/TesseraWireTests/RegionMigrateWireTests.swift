import Foundation
import NIOCore
import Testing
import TesseraCodec
import TesseraGridProtocol
import TesseraWire
import TesseraWorld

extension WireSamples {
    static let migratingAvatar = MigratingAvatar(localID: 7, state: travellingAvatar, visible: [1, 7, 9, .max], arrivedMillis: 1_790_000_000_001)
    static let snapshot = RegionSnapshot(
        name: "Tessera Plaza", regionID: agentB, frame: 1 << 40, nextLocalID: 4242, objectCount: 2,
        avatars: [migratingAvatar, MigratingAvatar(localID: 8, state: travellingAvatar, visible: [], arrivedMillis: 0)], ghosts: [3, 5])
    static let migratingObjects = [
        MigratingObject(localID: 1, object: TravellingObject(record: record, stored: true)),
        MigratingObject(localID: 9, object: TravellingObject(record: physicalRecord, stored: false, velocity: Vector3(0, 0, -9.5))),
    ]
    static let migrationSteps: [RegionMigrate.Step] =
        [.objects(migratingObjects), .objects([]), .prepare(snapshot),
         .prepare(RegionSnapshot(name: "", regionID: agentA, frame: 0, nextLocalID: 1, objectCount: 0, avatars: [], ghosts: [])),
         .accepted(address: "10.77.0.3:9100", node: "node-2"), .commit, .started, .abort]
        + RegionMigrate.Refusal.allCases.map { .refused($0, message: "refused ✦ \($0)") }

    static let migrationMessages: [WireMessage] =
        migrationSteps.enumerated().map { index, step in
            .regionMigrate(RegionMigrate(migrationID: UInt64(index) << 50 | 1, region: index.isMultiple(of: 2) ? handle : otherHandle, step: step))
        } + [
            .regionMoved(RegionMoved(
                migrationID: .max, region: RegionDescriptor(handle: handle, name: "Tessera Plaza"),
                avatars: [RegionMoved.Avatar(agentID: agentA, localID: 7, appliedSequence: 4711), RegionMoved.Avatar(agentID: agentB, localID: .max, appliedSequence: 0)])),
            .regionMoved(RegionMoved(migrationID: 0, region: RegionDescriptor(handle: otherHandle, name: ""), avatars: [])),
            .adminRequest(AdminRequest(.moveRegion(handle, toNode: "node-2"))),
            .adminRequest(AdminRequest(.moveRegion(otherHandle, toNode: ""))),
            .adminReply(AdminReply(.moved(RegionMoveReport(
                region: handle, regionName: "Tessera Plaza", fromNode: "node-1", toNode: "node-2", avatars: 100, objects: 12, scripts: 3,
                pauseMicros: 123_456, totalMicros: .max)))),
        ]
}

/// The live migration's wire messages (`RegionMigrate` 0x44, `RegionMoved` 0x45, the move admin
/// request and reply): exact layouts, and malformed input refused with a named field.
@Suite struct RegionMigrateWireTests {
    /// The field an `invalidValue` error names, or nil for any other error.
    func invalidField(_ error: (any Error)?) -> String? {
        guard case .invalidValue(let field, _)? = error as? CodecError else { return nil }
        return field
    }

    @Test func everyStepAndRefusalHasASample() {
        var refusals = Set<RegionMigrate.Refusal>()
        var steps = Set<String>()
        for case .regionMigrate(let message) in WireSamples.all {
            switch message.step {
            case .objects: steps.insert("objects")
            case .prepare: steps.insert("prepare")
            case .accepted: steps.insert("accepted")
            case .refused(let reason, _):
                steps.insert("refused")
                refusals.insert(reason)
            case .commit: steps.insert("commit")
            case .started: steps.insert("started")
            case .abort: steps.insert("abort")
            }
        }
        #expect(steps == ["objects", "prepare", "accepted", "refused", "commit", "started", "abort"])
        #expect(refusals == Set(RegionMigrate.Refusal.allCases))
    }

    @Test func commitLayoutIsExact() {
        let message = WireMessage.regionMigrate(RegionMigrate(migrationID: 0x0102_0304_0506_0708, region: RegionHandle(rawValue: 0x1112_1314_1516_1718), step: .commit))
        #expect(message.payloadBytes == [0x44, 8, 7, 6, 5, 4, 3, 2, 1, 0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 5])
        let moved = WireMessage.regionMoved(RegionMoved(
            migrationID: 1, region: RegionDescriptor(handle: RegionHandle(rawValue: 2), name: "A"),
            avatars: [RegionMoved.Avatar(agentID: UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)), localID: 3, appliedSequence: 4)]))
        #expect(moved.payloadBytes == [0x45, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 65, 1, 0, 0, 0]
            + (1...16).map { UInt8($0) } + [3, 0, 0, 0, 4, 0, 0, 0])
    }

    @Test func unknownStepAndRefusalAreNamed() {
        var commit = WireMessage.regionMigrate(RegionMigrate(migrationID: 1, region: RegionHandle(rawValue: 2), step: .commit)).payloadBytes
        commit[commit.count - 1] = 8
        #expect(invalidField(thrownError { try decodePayload(commit) }) == "regionMigrate.step")
        commit[commit.count - 1] = 0
        #expect(invalidField(thrownError { try decodePayload(commit) }) == "regionMigrate.step")
        var refused = WireMessage.regionMigrate(RegionMigrate(migrationID: 1, region: RegionHandle(rawValue: 2), step: .refused(.noGrid, message: ""))).payloadBytes
        refused[18] = 0
        #expect(invalidField(thrownError { try decodePayload(refused) }) == "regionMigrate.refusal")
        refused[18] = 7
        #expect(invalidField(thrownError { try decodePayload(refused) }) == "regionMigrate.refusal")
    }

    @Test func forgedCountsAreRefusedBeforeAllocating() {
        // An objects step claiming 2³² − 1 objects in a few bytes.
        var objects = WireMessage.regionMigrate(RegionMigrate(migrationID: 1, region: RegionHandle(rawValue: 2), step: .objects([]))).payloadBytes
        objects.replaceSubrange(18..<22, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(invalidField(thrownError { try decodePayload(objects) }) == "regionMigrate.objects")
        var moved = WireMessage.regionMoved(RegionMoved(migrationID: 1, region: RegionDescriptor(handle: RegionHandle(rawValue: 2), name: ""), avatars: [])).payloadBytes
        moved.replaceSubrange(19..<23, with: [0, 0, 0, 1])
        #expect(invalidField(thrownError { try decodePayload(moved) }) == "regionMoved.avatars")
        let empty = RegionSnapshot(name: "", regionID: UUID(), frame: 0, nextLocalID: 1, objectCount: 0, avatars: [], ghosts: [])
        var prepare = WireMessage.regionMigrate(RegionMigrate(migrationID: 1, region: RegionHandle(rawValue: 2), step: .prepare(empty))).payloadBytes
        // type, id, region, step, name (2), regionID (16), frame (8), next (4), objectCount (4): avatars count at 52.
        prepare.replaceSubrange(52..<56, with: [0x10, 0, 0, 0])
        #expect(invalidField(thrownError { try decodePayload(prepare) }) == "snapshot.avatars")
        prepare.replaceSubrange(52..<56, with: [0, 0, 0, 0])
        prepare.replaceSubrange(56..<60, with: [0x10, 0, 0, 0])
        #expect(invalidField(thrownError { try decodePayload(prepare) }) == "snapshot.ghosts")
    }

    @Test func nonFiniteStatesAreRefused() {
        var avatar = WireSamples.travellingAvatar
        avatar.position = Vector3(.nan, 1, 1)
        let snapshot = RegionSnapshot(
            name: "x", regionID: UUID(), frame: 0, nextLocalID: 1, objectCount: 0,
            avatars: [MigratingAvatar(localID: 1, state: avatar, visible: [], arrivedMillis: 0)], ghosts: [])
        let prepare = WireMessage.regionMigrate(RegionMigrate(migrationID: 1, region: RegionHandle(rawValue: 2), step: .prepare(snapshot))).payloadBytes
        #expect(invalidField(thrownError { try decodePayload(prepare) }) == "avatar.position")
        var record = WireSamples.record
        record.position = Vector3(1, .infinity, 1)
        let objects = WireMessage.regionMigrate(RegionMigrate(
            migrationID: 1, region: RegionHandle(rawValue: 2), step: .objects([MigratingObject(localID: 1, object: TravellingObject(record: record, stored: true))]))).payloadBytes
        #expect(thrownError { try decodePayload(objects) } is CodecError)
    }

    @Test func unknownAdminActionAndOutcomeAreNamed() {
        var request = WireMessage.adminRequest(AdminRequest(.moveRegion(RegionHandle(rawValue: 1), toNode: ""))).payloadBytes
        #expect(request[1] == 8)
        request[1] = 9
        #expect(invalidField(thrownError { try decodePayload(request) }) == "adminRequest.action")
        let report = RegionMoveReport(region: RegionHandle(rawValue: 1), regionName: "", fromNode: "", toNode: "", avatars: 0, objects: 0, scripts: 0, pauseMicros: 0, totalMicros: 0)
        var reply = WireMessage.adminReply(AdminReply(.moved(report))).payloadBytes
        #expect(reply[1] == 6)
        reply[1] = 7
        #expect(invalidField(thrownError { try decodePayload(reply) }) == "adminReply.outcome")
    }

    @Test func aMoveReportWinsWhenCombined() {
        let report = RegionMoveReport(region: RegionHandle(rawValue: 1), regionName: "A", fromNode: "n1", toNode: "n2", avatars: 1, objects: 2, scripts: 0, pauseMicros: 3, totalMicros: 4)
        #expect(AdminReply.Outcome.combine([.notHere, .moved(report), .notHere]) == .moved(report))
        #expect(AdminReply.Outcome.combine([.notHere, .notHere]) == .notHere)
    }
}
