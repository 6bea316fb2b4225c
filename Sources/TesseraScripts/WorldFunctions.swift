import Foundation
import TesseraGridProtocol
import TesseraLSL
import TesseraWire
import TesseraWorld

/// The world functions scripts in prims may call (docs/lsl.md, "World functions"): one call,
/// about the script whose slice is running. Chat goes through the script's rate limit; every
/// change to the world becomes a `ScriptEffect` in the frame's answer.
struct WorldFunctions {
    let region: RegionScripts
    let script: HostedScript
    let vm: LSLScript

    static let nullKey = "00000000-0000-0000-0000-000000000000"
    /// `llSetPos` moves at most this far per call, `llRezObject` rezzes at most this far away (as SL).
    static let maxStep: Float = 10
    /// Sensor range and arc limits (SL's).
    static let maxSensorRange: Float = 96
    /// Shortest `llSensorRepeat` period.
    static let minSensorPeriod = 0.05

    /// Built-ins that have no effect here yet and harm nothing by doing nothing.
    static let harmlessNoOps: Set<String> = [
        "llPlaySound", "llLoopSound", "llLoopSoundMaster", "llLoopSoundSlave", "llPlaySoundSlave", "llTriggerSound",
        "llTriggerSoundLimited", "llStopSound", "llPreloadSound", "llAdjustSoundVolume", "llSetSoundQueueing", "llSetSoundRadius",
        "llCollisionSound", "llCollisionSprite", "llParticleSystem", "llLinkParticleSystem", "llSetTextureAnim",
        "llSetLinkTextureAnim", "llSetClickAction", "llSetTouchText", "llSetSitText", "llSetPayPrice",
    ]

    /// Every world function this host implements (the rest: harmless no-ops or a run-time error).
    static let implemented: Set<String> = [
        "llSay", "llWhisper", "llShout", "llRegionSay", "llOwnerSay", "llListen", "llListenRemove", "llListenControl",
        "llGetPos", "llGetLocalPos", "llGetRootPosition", "llSetPos", "llSetRegionPos", "llGetRot", "llGetLocalRot",
        "llGetRootRotation", "llSetRot", "llSetLocalRot", "llGetVel", "llGetScale", "llSetText", "llGetText", "llSetColor",
        "llGetColor", "llSetAlpha", "llGetAlpha", "llApplyImpulse", "llSetStatus", "llGetStatus", "llRezObject", "llRezAtRoot",
        "llDie", "llSensor", "llSensorRepeat", "llSensorRemove", "llDetectedName", "llDetectedKey", "llDetectedOwner",
        "llDetectedType", "llDetectedPos", "llDetectedRot", "llDetectedVel", "llDetectedTouchFace", "llDetectedGroup",
        "llDetectedLinkNumber", "llGetOwner", "llGetKey", "llGetObjectName", "llGetCreator", "llGetOwnerKey",
        "llGetRegionName", "llGetUnixTime", "llGetTimestamp", "llGetDate", "llGetWallclock", "llGetGMTclock",
        "llGetScriptName", "llKey2Name", "llGetNumberOfPrims", "llGetObjectPrimCount", "llGetLinkNumber",
        "llGetRegionFPS", "llGetRegionTimeDilation", "llGetStartParameter",
    ]

    /// The script's time now (the VM's own clock is not readable from inside a call).
    private var time: Double { script.scriptTime(region.now) }

    func call(_ function: LSLFunctionDefinition, _ a: HostArguments) throws(LSLRuntimeError) -> LSLValue {
        let none = LSLValue.integer(0)
        let name = function.name
        switch name {
        // Chat and listens
        case "llSay": chat(.say, a.integer(0), a.string(1))
        case "llWhisper": chat(.whisper, a.integer(0), a.string(1))
        case "llShout": chat(.shout, a.integer(0), a.string(1))
        case "llRegionSay":
            // Never on the public channel, as in SL.
            if a.integer(0) != ChatChannel.publicChannel { chat(.regionSay, a.integer(0), a.string(1)) }
        case "llOwnerSay": chat(.ownerSay, 0, a.string(0))
        case "llListen": return .integer(try listen(a))
        case "llListenRemove":
            if script.listens.removeValue(forKey: a.integer(0)) != nil { region.sendChannelsIfChanged(script) }
        case "llListenControl":
            if script.listens[a.integer(0)] != nil {
                script.listens[a.integer(0)]!.active = a.integer(1) != 0
                region.sendChannelsIfChanged(script)
            }

        // The object
        case "llGetPos", "llGetLocalPos", "llGetRootPosition": return .vector(object.pose.position.lsl)
        case "llGetRot", "llGetLocalRot", "llGetRootRotation": return .rotation(object.pose.rotation.lsl)
        case "llGetVel": return .vector(object.pose.velocity.lsl)
        case "llGetScale": return .vector(object.pose.scale.lsl)
        case "llSetPos": move(to: a.vector(0).world, limited: true)
        case "llSetRegionPos":
            guard a.vector(0).world.isFinite else { return .integer(0) }
            move(to: a.vector(0).world, limited: false)
            return .integer(1)
        case "llSetRot", "llSetLocalRot":
            let rotation = a.rotation(0).world
            guard rotation.isFinite else { return none }
            let normalized = rotation.normalized
            update { $0.pose.rotation = normalized }
            emit(.setRotation(normalized))
        case "llSetText":
            let text = a.string(0).wireText(maxBytes: ObjectLook.maxTextBytes)
            let color = a.vector(1).world.unitClamped
            let alpha = a.float(2).unitClamped
            update { $0.text = text }
            emit(.setText(text: text, color: color, alpha: alpha))
        case "llGetText": return .string(object.text)
        case "llSetColor":
            // One colour per object: any face sets the whole object.
            let color = a.vector(0).world.unitClamped
            update { $0.color = color }
            emit(.setColor(color, alpha: object.alpha))
        case "llSetAlpha":
            let alpha = a.float(0).unitClamped
            update { $0.alpha = alpha }
            emit(.setColor(object.color, alpha: alpha))
        case "llGetColor": return .vector(object.color.lsl)
        case "llGetAlpha":
            // ALL_SIDES sums the faces in SL; the object has six alike.
            return .float(a.integer(0) == -1 ? object.alpha * 6 : object.alpha)
        case "llApplyImpulse":
            var impulse = a.vector(0).world
            if a.integer(1) != 0 { impulse = object.pose.rotation.rotate(impulse) }
            guard impulse.isFinite else { return none }
            emit(.applyImpulse(impulse))
        case "llSetStatus":
            // STATUS_PHYSICS only; other statuses do nothing here.
            if a.integer(0) & 1 != 0 {
                let physical = a.integer(1) != 0
                update { $0.physical = physical }
                emit(.setPhysical(physical))
            }
        case "llGetStatus": return .integer(a.integer(0) == 1 && object.physical ? 1 : 0)
        case "llRezObject", "llRezAtRoot":
            let item = a.string(0).wireText(maxBytes: maxNameBytes)
            let position = a.vector(1).world, velocity = a.vector(2).world, rotation = a.rotation(3).world
            // Refused silently, as SL does, beyond 10 m of the object; the region refuses an
            // item that is not an object in the contents.
            guard !item.isEmpty, position.isFinite, velocity.isFinite, rotation.isFinite,
                  position.distance(to: object.pose.position) <= Self.maxStep else { return none }
            emit(.rez(item: item, position: position, velocity: velocity, rotation: rotation.normalized, parameter: a.integer(4)))
        case "llDie":
            emit(.die)
            update { $0.dying = true }
            // Nothing of the object's scripts runs after llDie.
            throw LSLRuntimeError(.hostError, "llDie")

        // Sensors
        case "llSensor":
            let sensor = sensorRequest(a, period: 0)
            emit(.sensor(name: sensor.name, key: sensor.key, kind: sensor.type, range: sensor.range, arc: sensor.arc))
        case "llSensorRepeat":
            let rate = Double(a.float(5))
            guard rate.isFinite, rate > 0 else {
                script.sensorRepeat = nil
                return none
            }
            var sensor = sensorRequest(a, period: max(rate, Self.minSensorPeriod))
            emit(.sensor(name: sensor.name, key: sensor.key, kind: sensor.type, range: sensor.range, arc: sensor.arc))
            sensor.nextDue = time + sensor.period
            script.sensorRepeat = sensor
        case "llSensorRemove": script.sensorRepeat = nil

        // Detected
        case "llDetectedName", "llDetectedKey", "llDetectedOwner", "llDetectedType", "llDetectedPos", "llDetectedRot",
             "llDetectedVel", "llDetectedTouchFace", "llDetectedGroup", "llDetectedLinkNumber":
            return detected(name, a.integer(0))

        // Identity, region and clocks
        case "llGetOwner", "llGetCreator": return .key(script.instance.owner.lslKey)
        case "llGetKey": return .key(script.key.object.lslKey)
        case "llGetObjectName": return .string(script.instance.objectName)
        case "llGetScriptName": return .string(script.instance.name)
        case "llGetOwnerKey":
            let key = a.string(0).lowercased()
            if let uuid = UUID(uuidString: key), let other = region.objects[uuid]?.scripts.first {
                return .key(other.instance.owner.lslKey)
            }
            return .key(key)
        case "llKey2Name":
            let key = a.string(0).lowercased()
            if let uuid = UUID(uuidString: key), let other = region.objects[uuid]?.scripts.first { return .string(other.instance.objectName) }
            return .string(region.names[key] ?? "")
        case "llGetRegionName": return .string(region.name)
        case "llGetStartParameter": return .integer(script.instance.startParameter)
        case "llGetNumberOfPrims", "llGetObjectPrimCount": return .integer(1)
        case "llGetLinkNumber": return .integer(0)
        case "llGetRegionFPS": return .float(45)
        case "llGetRegionTimeDilation": return .float(1)
        case "llGetUnixTime": return .integer(Int32(truncatingIfNeeded: region.wallMillis / 1000))
        case "llGetGMTclock": return .float(Float(WallClock.secondsOfDay(millis: region.wallMillis, offsetHours: 0)))
        case "llGetWallclock": return .float(Float(WallClock.secondsOfDay(millis: region.wallMillis, offsetHours: -8)))
        case "llGetDate": return .string(WallClock.text(millis: region.wallMillis, includeTime: false))
        case "llGetTimestamp": return .string(WallClock.text(millis: region.wallMillis, includeTime: true))

        default:
            if Self.harmlessNoOps.contains(name) { return function.returnType.map(LSLValue.zero(of:)) ?? none }
            throw LSLRuntimeError(.hostError, "\(name) is not available to scripts in this grid yet")
        }
        return none
    }

    private var object: ScriptedObject { region.objects[script.key.object]! }

    private func update(_ change: (inout ScriptedObject) -> Void) {
        change(&region.objects[script.key.object]!)
    }

    private func emit(_ effect: ScriptEffect) {
        region.emit(effect, by: script)
    }

    /// Chat through the script's token bucket; excess is dropped and counted, and the owner is
    /// told once a minute (of script time).
    private func chat(_ type: ChatType, _ channel: Int32, _ text: String) {
        let settings = region.settings
        if time > script.chatRefilled {
            script.chatTokens = min(settings.chatBurst, script.chatTokens + (time - script.chatRefilled) * settings.chatPerSecond)
            script.chatRefilled = time
        }
        guard script.chatTokens >= 1 else {
            region.chatDropped += 1
            script.chatDroppedSinceWarning += 1
            if script.chatWarned < 0 || time - script.chatWarned >= 60 {
                script.chatWarned = time
                region.diagnose(script, compile: false, [
                    "\(script.instance.name): too much chat: \(script.chatDroppedSinceWarning) message(s) dropped (at most \(Int(settings.chatBurst)) at once, \(settings.chatPerSecond) per second)",
                ])
                script.chatDroppedSinceWarning = 0
            }
            return
        }
        script.chatTokens -= 1
        let said = text.wireText(maxBytes: maxChatBytes)
        emit(type == .ownerSay ? .ownerSay(text: said) : .say(channel: channel, type: type, text: said))
    }

    private func listen(_ a: HostArguments) throws(LSLRuntimeError) -> Int32 {
        guard script.listens.count < ScriptListen.maxPerScript else {
            throw LSLRuntimeError(.hostError, "Too many listens: a script may have at most \(ScriptListen.maxPerScript)")
        }
        let handle = script.nextListenHandle
        script.nextListenHandle = handle == .max ? 1 : handle + 1
        let key = a.string(2).lowercased()
        script.listens[handle] = ScriptListen(
            channel: a.integer(0), name: a.string(1).wireText(maxBytes: maxNameBytes), key: key == Self.nullKey ? "" : key.wireText(maxBytes: 36),
            message: a.string(3).wireText(maxBytes: maxChatBytes), active: true)
        region.sendChannelsIfChanged(script)
        return handle
    }

    private func sensorRequest(_ a: HostArguments, period: Double) -> SensorRepeat {
        let key = a.string(1).lowercased()
        func clamp(_ value: Float, _ top: Float) -> Float { value.isNaN ? 0 : min(max(value, 0), top) }
        return SensorRepeat(
            name: a.string(0).wireText(maxBytes: maxNameBytes), key: key == Self.nullKey ? nil : UUID(uuidString: key),
            type: UInt8(truncatingIfNeeded: a.integer(2) & 15), range: clamp(a.float(3), Self.maxSensorRange), arc: clamp(a.float(4), .pi),
            period: period, nextDue: 0)
    }

    private func move(to target: Vector3, limited: Bool) {
        guard target.isFinite else { return }
        var position = target
        let from = object.pose.position
        let distance = from.distance(to: target)
        if limited, distance > Self.maxStep {
            let step = Self.maxStep / distance
            position = Vector3(from.x + (target.x - from.x) * step, from.y + (target.y - from.y) * step, from.z + (target.z - from.z) * step)
        }
        update { $0.pose.position = position }
        emit(.setPosition(position))
    }

    private func detected(_ name: String, _ index: Int32) -> LSLValue {
        let list = vm.currentDetected
        let who: LSLDetected? = index >= 0 && Int(index) < list.count ? list[Int(index)] : nil
        switch name {
        case "llDetectedName": return .string(who?.name ?? "")
        case "llDetectedKey": return .key(who?.key ?? Self.nullKey)
        case "llDetectedOwner": return .key(who?.owner ?? Self.nullKey)
        case "llDetectedType": return .integer(who?.type ?? 0)
        case "llDetectedPos": return .vector(who?.position ?? .zero)
        case "llDetectedRot": return .rotation(who?.rotation ?? .identity)
        case "llDetectedVel": return .vector(who?.velocity ?? .zero)
        case "llDetectedTouchFace": return .integer(who?.touchFace ?? -1)
        case "llDetectedLinkNumber": return .integer(who == nil ? -1 : 0)
        default: return .integer(0)  // llDetectedGroup: groups do not exist here.
        }
    }
}

/// A world function's arguments, already of the definition's parameter types.
typealias HostArguments = LSLArguments

/// Wall-clock answers from the frame's time (milliseconds since 1970, UTC).
enum WallClock {
    static func secondsOfDay(millis: UInt64, offsetHours: Int64) -> Double {
        LSLWallClock.secondsOfDay(Double(millis) / 1000 + Double(offsetHours * 3600))
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm:ss.ffffffZ`.
    static func text(millis: UInt64, includeTime: Bool) -> String {
        LSLWallClock.text(seconds: Int64(millis / 1000), micros: Int64(millis % 1000) * 1000, includeTime: includeTime)
    }
}

// MARK: - Values between the wire and the VM

extension LSLVector {
    var world: Vector3 { Vector3(x, y, z) }
}

extension LSLRotation {
    var world: Quaternion { Quaternion(x: x, y: y, z: z, w: s) }
}

extension Vector3 {
    var lsl: LSLVector { LSLVector(x, y, z) }
    var unitClamped: Vector3 { Vector3(x.unitClamped, y.unitClamped, z.unitClamped) }
}

extension Float {
    var unitClamped: Float { isNaN ? 0 : Swift.min(Swift.max(self, 0), 1) }
}

extension Quaternion {
    var lsl: LSLRotation { LSLRotation(x, y, z, w) }

    /// `v` turned by this rotation (unit length assumed).
    func rotate(_ v: Vector3) -> Vector3 {
        // t = 2 (q × v); v' = v + w t + q × t
        let tx = 2 * (y * v.z - z * v.y), ty = 2 * (z * v.x - x * v.z), tz = 2 * (x * v.y - y * v.x)
        return Vector3(
            v.x + w * tx + (y * tz - z * ty),
            v.y + w * ty + (z * tx - x * tz),
            v.z + w * tz + (x * ty - y * tx))
    }
}

extension DetectedInfo {
    var lslDetected: LSLDetected {
        LSLDetected(
            key: key.lslKey, name: name, owner: owner.lslKey, type: Int32(kind), position: position.lsl, rotation: rotation.lsl,
            velocity: velocity.lsl, touchFace: touchFace)
    }
}

extension ScriptValue {
    /// The value as an event argument of `type` (integer → float, string ↔ key as LSL
    /// converts); nil when it does not fit.
    func lslValue(as type: LSLType) -> LSLValue? {
        switch (self, type) {
        case (.integer(let n), .integer): return .integer(n)
        case (.integer(let n), .float): return .float(Float(n))
        case (.float(let f), .float): return .float(f)
        case (.string(let s), .string), (.key(let s), .string): return .string(s)
        case (.string(let s), .key), (.key(let s), .key): return .key(s)
        case (.vector(let v), .vector): return .vector(v.lsl)
        case (.rotation(let r), .rotation): return .rotation(r.lsl)
        case (.list(let items), .list):
            var values: [LSLValue] = []
            for item in items {
                switch item {
                case .integer(let n): values.append(.integer(n))
                case .float(let f): values.append(.float(f))
                case .string(let s): values.append(.string(s))
                case .key(let s): values.append(.key(s))
                case .vector(let v): values.append(.vector(v.lsl))
                case .rotation(let r): values.append(.rotation(r.lsl))
                case .list: return nil
                }
            }
            return .list(values)
        default: return nil
        }
    }
}
