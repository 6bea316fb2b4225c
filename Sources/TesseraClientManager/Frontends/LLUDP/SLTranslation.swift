import Foundation
import TesseraClientProtocol
import TesseraLLUDP
import TesseraWire
import TesseraWorld

/// Tessera's entities as Second Life objects: full updates, terse updates, the minimap.
enum SLObjects {
    /// PCode of an avatar and of a primitive.
    static let avatarPCode: UInt8 = 47
    static let primPCode: UInt8 = 9
    /// Half a Tessera avatar's height: its position is its centre, its feet this far below.
    static let avatarHalfHeight: Float = 0.95

    /// The ObjectUpdate block that makes `enter` appear: an avatar (with its name values and
    /// the 76-byte motion data with a foot collision plane) or a primitive of its shape.
    static func objectData(enter: EntityEnter, info: EntityInfo, fullID: UUID, owner: UUID?) -> SL.ObjectUpdate.ObjectData {
        let avatar = info.kind == .avatar
        let motion = enter.motion
        let position = motion.position.position
        var data: [UInt8] = []
        data.reserveCapacity(76)
        if avatar { appendFloats(&data, [0, 0, 1, position.z - avatarHalfHeight]) }
        appendFloats(&data, [position.x, position.y, position.z])
        let velocity = motion.velocity.velocity
        appendFloats(&data, [velocity.x, velocity.y, velocity.z])
        appendFloats(&data, [0, 0, 0])
        let rotation = motion.rotation.rotation
        let sign: Float = rotation.w < 0 ? -1 : 1
        appendFloats(&data, [rotation.x * sign, rotation.y * sign, rotation.z * sign])
        appendFloats(&data, [0, 0, 0])
        let (first, last) = ViewerSession.slName(info.name)
        let nameValue = avatar ? "FirstName STRING RW SV \(first)\nLastName STRING RW SV \(last)" : ""
        let shape = PrimShape(info.shape)
        return SL.ObjectUpdate.ObjectData(
            id: enter.localID, state: 0, fullID: fullID, crc: 0, pCode: avatar ? avatarPCode : primPCode, material: 3, clickAction: 0,
            scale: info.scale, objectData: data, parentID: 0, updateFlags: avatar ? 0 : primFlags,
            pathCurve: shape.pathCurve, profileCurve: shape.profileCurve, pathBegin: 0, pathEnd: 0, pathScaleX: 100, pathScaleY: 100,
            pathShearX: 0, pathShearY: 0, pathTwist: 0, pathTwistBegin: 0, pathRadiusOffset: 0, pathTaperX: 0, pathTaperY: 0,
            pathRevolutions: 0, pathSkew: 0, profileBegin: 0, profileEnd: 0, profileHollow: 0,
            textureEntry: avatar ? [] : defaultTextureEntry, textureAnim: [],
            nameValue: nameValue.isEmpty ? [] : SLText.bytes(nameValue, max: 1024), data: [],
            text: SLText.bytes(info.appearance?.text ?? "", max: 255),
            textColor: textColor(info.appearance), mediaURL: [], psBlock: [], extraParams: [0],
            sound: slNullUUID, ownerID: owner ?? slNullUUID, gain: 0, flags: 0, radius: 0, jointType: 0,
            jointPivot: .zero, jointAxisOrAnchor: .zero)
    }

    /// Object flags of a plain prim: object modify/copy/move bits (0x4, 0x10) and casts shadows
    /// (0x10000000); no touch flag (scripts' touch handlers are not known here).
    static let primFlags: UInt32 = 0x0000_0004 | 0x0000_0010 | 0x1000_0000

    /// One face's default texture (the plywood) and nothing else: 16 bytes of id, then the
    /// empty per-face tails the decoder accepts.
    static let defaultTextureEntry: [UInt8] = {
        let plywood = UUID(uuidString: "89556747-24cb-43ed-920b-47caed15465f")!
        var bytes = withUnsafeBytes(of: plywood.uuid) { Array($0) }
        bytes.append(0)  // end of texture ids
        // colour (4 bytes of 0 = white, inverted), scale u/v, offset u/v, rotation, material,
        // media, glow: each a default value and a 0 terminator.
        bytes += [0, 0, 0, 0, 0]
        bytes += [0, 0, 0x80, 0x3F, 0]
        bytes += [0, 0, 0x80, 0x3F, 0]
        bytes += [0, 0, 0]
        bytes += [0, 0, 0]
        bytes += [0, 0, 0]
        bytes += [0, 0]
        bytes += [0, 0]
        bytes += [0, 0]
        return bytes
    }()

    static func textColor(_ appearance: ObjectAppearance?) -> [UInt8] {
        guard let appearance, !appearance.text.isEmpty else { return [0, 0, 0, 0] }
        // The fourth byte is 255 − alpha: 0 is opaque.
        let c = appearance.clamped.textColor
        let alpha = appearance.clamped.textAlpha
        return [UInt8(clamping: Int(c.x * 255)), UInt8(clamping: Int(c.y * 255)), UInt8(clamping: Int(c.z * 255)), UInt8(clamping: Int((1 - alpha) * 255))]
    }

    /// The path and profile of a Tessera shape.
    struct PrimShape {
        var pathCurve: UInt8
        var profileCurve: UInt8

        init(_ shape: Shape) {
            switch shape {
            case .sphere: self.init(pathCurve: 0x20, profileCurve: 0x05)
            case .cylinder: self.init(pathCurve: 0x10, profileCurve: 0x00)
            case .box: self.init(pathCurve: 0x10, profileCurve: 0x01)
            }
        }

        init(pathCurve: UInt8, profileCurve: UInt8) {
            self.pathCurve = pathCurve
            self.profileCurve = profileCurve
        }
    }

    /// The ImprovedTerseObjectUpdate block of one entity's newest motion: 44 bytes (60 with an
    /// avatar's foot collision plane), velocities and rotation quantised to 16 bits.
    static func terse(localID: LocalID, motion: EntityMotion, avatar: Bool) -> SL.ImprovedTerseObjectUpdate.ObjectData {
        var data: [UInt8] = []
        data.reserveCapacity(60)
        appendU32(&data, localID)
        data.append(0)  // state
        data.append(avatar ? 1 : 0)
        let position = motion.position.position
        if avatar { appendFloats(&data, [0, 0, 1, position.z - avatarHalfHeight]) }
        appendFloats(&data, [position.x, position.y, position.z])
        let velocity = motion.velocity.velocity
        for value in [velocity.x, velocity.y, velocity.z] { appendU16(&data, quantize(value, -128, 128)) }
        for _ in 0..<3 { appendU16(&data, quantize(0, -64, 64)) }
        let rotation = motion.rotation.rotation
        for value in [rotation.x, rotation.y, rotation.z, rotation.w] { appendU16(&data, quantize(value, -1, 1)) }
        for _ in 0..<3 { appendU16(&data, quantize(0, -64, 64)) }
        return .init(data: data, textureEntry: [])
    }

    /// `value` in [lower, upper] as 0…65535 (values outside are clamped; NaN is the middle).
    static func quantize(_ value: Float, _ lower: Float, _ upper: Float) -> UInt16 {
        guard !value.isNaN else { return quantize((lower + upper) / 2, lower, upper) }
        let clamped = min(max(value, lower), upper)
        return UInt16((clamped - lower) / (upper - lower) * 65535 + 0.5)
    }

    /// The most avatars a CoarseLocationUpdate lists (19 bytes each) so it fits a datagram.
    static let maxCoarseAvatars = (ViewerSession.packetBodyBudget - 8) / 19

    /// CoarseLocationUpdate: the avatars of the region, x and y in metres, z in 4 m steps (255
    /// above 1020 m); `You` is the index of the viewer's own avatar. With more than
    /// `maxCoarseAvatars`, the viewer's own and those nearest it.
    static func coarse(_ all: [(AgentID, Vector3)], you: AgentID) -> SL.CoarseLocationUpdate {
        var avatars = all
        if avatars.count > maxCoarseAvatars {
            let own = avatars.first { $0.0 == you }
            let centre = own?.1 ?? .zero
            func distance(_ p: Vector3) -> Float {
                let d = ((p.x - centre.x) * (p.x - centre.x) + (p.y - centre.y) * (p.y - centre.y))
                return d.isNaN ? .infinity : d
            }
            let others = avatars.filter { $0.0 != you }.sorted { distance($0.1) < distance($1.1) }
            avatars = (own.map { [$0] } ?? []) + others.prefix(maxCoarseAvatars - (own == nil ? 0 : 1))
        }
        // Clamped as floats first: an integer conversion of a huge or NaN float would trap.
        func byte(_ value: Float) -> UInt8 { value.isFinite ? UInt8(min(max(value, 0), 255)) : 0 }
        let locations = avatars.map { _, p in SL.CoarseLocationUpdate.Location(x: byte(p.x), y: byte(p.y), z: byte(p.z / 4)) }
        let index = avatars.firstIndex { $0.0 == you }.map { Int16($0) } ?? -1
        return SL.CoarseLocationUpdate(location: locations, index: .init(you: index, prey: -1), agentData: avatars.map { .init(agentID: $0.0) })
    }

    /// Splits blocks into groups whose encoded size stays under `budget` (at least one each).
    static func batches<Block>(_ blocks: [Block], budget: Int, size: (Block) -> Int) -> [[Block]] {
        var result: [[Block]] = []
        var current: [Block] = []
        var bytes = 0
        for block in blocks {
            let cost = size(block)
            if !current.isEmpty, bytes + cost > budget || current.count == 255 {
                result.append(current)
                current = []
                bytes = 0
            }
            current.append(block)
            bytes += cost
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// About how many bytes an ObjectUpdate block encodes to.
    static func encodedSize(_ block: SL.ObjectUpdate.ObjectData) -> Int {
        160 + block.objectData.count + block.textureEntry.count + block.nameValue.count + block.text.count + block.extraParams.count
    }

    private static func appendFloats(_ data: inout [UInt8], _ values: [Float]) {
        for value in values { appendU32(&data, (value.isFinite ? value : 0).bitPattern) }
    }

    private static func appendU32(_ data: inout [UInt8], _ value: UInt32) {
        data += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
    }

    private static func appendU16(_ data: inout [UInt8], _ value: UInt16) {
        data += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
    }
}

/// Chat between the two protocols.
enum SLChat {
    /// ChatFromSimulator of a line Tessera delivered.
    static func fromSimulator(_ chat: ChatReceived, sourceID: UUID, ownerID: UUID) -> SL.ChatFromSimulator {
        let type: UInt8 =
            switch chat.type {
            case .whisper: 0
            case .say, .regionSay: 1
            case .shout: 2
            case .ownerSay: 8
            }
        return SL.ChatFromSimulator(chatData: .init(
            fromName: SLText.bytes(chat.speakerName, max: 255), sourceID: sourceID, ownerID: ownerID,
            sourceType: chat.speakerKind == .object ? 2 : 1, chatType: type, audible: 1,
            position: chat.position.position, message: SLText.bytes(chat.text, max: 1024)))
    }
}

/// AgentUpdate's control flags (the viewer's keys) as a Tessera movement intent.
enum SLControls {
    static let atPos: UInt32 = 0x1, atNeg: UInt32 = 0x2, leftPos: UInt32 = 0x4, leftNeg: UInt32 = 0x8
    static let upPos: UInt32 = 0x10, upNeg: UInt32 = 0x20, fastAt: UInt32 = 0x400, fly: UInt32 = 0x2000, stop: UInt32 = 0x4000
    static let nudgeAtPos: UInt32 = 0x80000, nudgeAtNeg: UInt32 = 0x100000, nudgeLeftPos: UInt32 = 0x200000, nudgeLeftNeg: UInt32 = 0x400000

    static func intent(flags: UInt32, body: Quaternion, alwaysRun: Bool) -> MovementIntent {
        var forward: Float = 0
        var left: Float = 0
        if flags & (atPos | nudgeAtPos) != 0 { forward += 1 }
        if flags & (atNeg | nudgeAtNeg) != 0 { forward -= 1 }
        if flags & (leftPos | nudgeLeftPos) != 0 { left += 1 }
        if flags & (leftNeg | nudgeLeftNeg) != 0 { left -= 1 }
        let vertical: Int8 = flags & upPos != 0 ? 1 : flags & upNeg != 0 ? -1 : 0
        let yaw = yaw(of: body)
        let flying = flags & fly != 0
        guard forward != 0 || left != 0, flags & stop == 0 else {
            return flying && vertical != 0 ? MovementIntent(mode: .fly, heading: yaw, vertical: vertical) : MovementIntent(mode: .stop, heading: yaw)
        }
        let heading = yaw + atan2(left, forward)
        let mode: MovementMode = flying ? .fly : (alwaysRun || flags & fastAt != 0) ? .run : .walk
        return MovementIntent(mode: mode, heading: heading, vertical: flying ? vertical : 0)
    }

    /// The rotation about z of a body rotation (0 when a component is not finite).
    static func yaw(of q: Quaternion) -> Float {
        guard q.isFinite else { return 0 }
        let yaw = atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z))
        return yaw.isFinite ? yaw : 0
    }

    /// A teleport's landing point: inside the square, at most 4095 m up; nil (the region's
    /// arrival point) when the viewer sent none (all zeros) or not a number.
    static func landing(_ position: Vector3) -> Vector3? {
        guard position.x.isFinite, position.y.isFinite, position.z.isFinite, position != .zero else { return nil }
        return Vector3(min(max(position.x, 0), 255.9), min(max(position.y, 0), 255.9), min(max(position.z, 0), 4095))
    }
}

/// AgentThrottle's seven rates (bits per second, little-endian floats): resend, land, wind,
/// cloud, task, texture, asset.
struct SLThrottles {
    var rates: [Float]

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 28 else { return nil }
        rates = (0..<7).map { index in
            let base = index * 4
            let bits = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
            return Float(bitPattern: bits)
        }
    }

    /// The task (object update) rate in bytes per second, bounded to something sane.
    var taskBytesPerSecond: Double? {
        let task = rates[4]
        guard task.isFinite, task > 0 else { return nil }
        return min(Double(task) / 8, 10_000_000)
    }
}

enum SLTeleportFlags {
    static let viaLocation: UInt32 = 1 << 4
}

/// The small answers a viewer needs not to stall: its name, no wearables, no money, the map.
enum SLReplies {
    /// Sim access of a PG region.
    static let simAccessPG: UInt8 = 13

    static func agentData(_ identity: ViewerIdentity) -> SL.AgentDataUpdate {
        SL.AgentDataUpdate(agentData: .init(
            agentID: identity.agentID, firstName: SLText.bytes(identity.firstName, max: 255), lastName: SLText.bytes(identity.lastName, max: 255),
            groupTitle: [0], activeGroupID: slNullUUID, groupPowers: 0, groupName: [0]))
    }

    static func wearables(_ identity: ViewerIdentity) -> SL.AgentWearablesUpdate {
        SL.AgentWearablesUpdate(agentData: .init(agentID: identity.agentID, sessionID: identity.sessionID, serialNum: 1), wearableData: [])
    }

    static func cachedTextures(_ identity: ViewerIdentity, _ request: SL.AgentCachedTexture) -> SL.AgentCachedTextureResponse {
        SL.AgentCachedTextureResponse(
            agentData: .init(agentID: identity.agentID, sessionID: identity.sessionID, serialNum: request.agentData.serialNum),
            wearableData: request.wearableData.prefix(32).map { .init(textureID: slNullUUID, textureIndex: $0.textureIndex, hostName: [0]) })
    }

    static func balance(_ identity: ViewerIdentity, transaction: UUID) -> SL.MoneyBalanceReply {
        SL.MoneyBalanceReply(
            moneyData: .init(
                agentID: identity.agentID, transactionID: transaction, transactionSuccess: true, moneyBalance: 0,
                squareMetersCredit: 0, squareMetersCommitted: 0, description: [0]),
            transactionInfo: .init(transactionType: 0, sourceID: slNullUUID, isSourceGroup: false, destID: slNullUUID, isDestGroup: false, amount: 0, itemDescription: [0]))
    }

    static func movementComplete(_ identity: ViewerIdentity, region: RegionHandle, position: Vector3) -> SL.AgentMovementComplete {
        SL.AgentMovementComplete(
            agentData: .init(agentID: identity.agentID, sessionID: identity.sessionID),
            data: .init(position: position, lookAt: Vector3(1, 0, 0), regionHandle: region.rawValue, timestamp: UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))),
            simData: .init(channelVersion: SLText.bytes("Tessera", max: 255)))
    }

    static func handshake(region: RegionHandle, name: String, terrain: Terrain) -> SL.RegionHandshake {
        let height = terrain.base
        return SL.RegionHandshake(
            regionInfo: .init(
                regionFlags: 0, simAccess: simAccessPG, simName: SLText.bytes(name, max: 255), simOwner: slNullUUID, isEstateManager: false,
                waterHeight: 20, billableFactor: 1, cacheID: regionID(region),
                terrainBase0: slNullUUID, terrainBase1: slNullUUID, terrainBase2: slNullUUID, terrainBase3: slNullUUID,
                terrainDetail0: slNullUUID, terrainDetail1: slNullUUID, terrainDetail2: slNullUUID, terrainDetail3: slNullUUID,
                terrainStartHeight00: height - 5, terrainStartHeight01: height - 5, terrainStartHeight10: height - 5, terrainStartHeight11: height - 5,
                terrainHeightRange00: 30, terrainHeightRange01: 30, terrainHeightRange10: 30, terrainHeightRange11: 30),
            regionInfo2: .init(regionID: regionID(region)),
            regionInfo3: .init(cpuClassID: 1, cpuRatio: 1, coloName: [0], productSKU: [0], productName: SLText.bytes("Tessera", max: 255)),
            regionInfo4: [.init(regionFlagsExtended: 0, regionProtocols: 0)])
    }

    /// A stable id for a region, from its handle.
    static func regionID(_ region: RegionHandle) -> UUID {
        ViewerSession.fullID(region: region, localID: 0, agentID: nil)
    }

    /// SimStats: time dilation (id 0), frame rate (1), agents (13), objects (11).
    static func simStats(region: RegionHandle, stamp: FrameStamp, frameRate: Float, agents: Int, objects: Int) -> SL.SimStats {
        let position = region.gridPosition
        let dilation = Float(stamp.timeDilation) / 65535
        return SL.SimStats(
            region: .init(regionX: position.x, regionY: position.y, regionFlags: 0, objectCapacity: 15000),
            stat: [
                .init(statID: 0, statValue: dilation), .init(statID: 1, statValue: frameRate * dilation),
                .init(statID: 13, statValue: Float(agents)), .init(statID: 11, statValue: Float(objects)),
            ],
            pidStat: .init(pid: 0), regionInfo: [.init(regionFlagsExtended: 0)])
    }

    /// UUIDNameReply for avatar names by id: as many messages as it takes for each to fit a
    /// datagram (none for no names).
    static func names(_ known: [(UUID, String)]) -> [SL.UUIDNameReply] {
        let blocks = known.map { id, name in
            let (first, last) = ViewerSession.slName(name)
            return SL.UUIDNameReply.UUIDNameBlock(id: id, firstName: SLText.bytes(first, max: 255), lastName: SLText.bytes(last, max: 255))
        }
        // A block is the id, two length bytes and the names.
        return SLObjects.batches(blocks, budget: ViewerSession.packetBodyBudget, size: { 18 + $0.firstName.count + $0.lastName.count }).map {
            SL.UUIDNameReply(uuidNameBlock: $0)
        }
    }

    /// The map's answer: as many MapBlockReply messages as it takes for each to fit a datagram.
    static func mapBlocks(agent: AgentID, regions: [(GridPosition, String)]) -> [SL.MapBlockReply] {
        let blocks = regions.map { position, name in
            SL.MapBlockReply.Data(
                x: UInt16(truncatingIfNeeded: position.x), y: UInt16(truncatingIfNeeded: position.y), name: SLText.bytes(name, max: 255),
                access: simAccessPG, regionFlags: 0, waterHeight: 20, agents: 0, mapImageID: slNullUUID)
        }
        // A block is 28 bytes and its name.
        return SLObjects.batches(blocks, budget: ViewerSession.packetBodyBudget, size: { 28 + $0.name.count }).map { batch in
            SL.MapBlockReply(agentData: .init(agentID: agent, flags: 0), data: batch)
        }
    }
}
