/// The host of `tessera lsl run` (docs/lsl.md, "Console host"): one pretend prim that is the
/// whole object, in a pretend region, owned by a pretend avatar. Every world function works:
/// chat writes the message as one line, the functions that change the object change it and write
/// one line saying what they did, getters answer from it, and every other world function writes
/// `llFoo(arguments) (pretend)` and answers the zero value of its return type.
///
/// Pure: it writes through `output` and reads the script's clock from `now`, which the driver
/// (`LSLConsoleRunner`) sets before each slice. Events that world functions cause (the grant of
/// `llRequestPermissions`, a link message to the script's own prim, `no_sensor`) go to `onEvent`
/// for the driver to post.
public final class LSLConsoleHost: LSLHost {
    /// A listen of `llListen`.
    public struct Listen: Sendable, Hashable {
        public var channel: Int32
        public var name: String
        public var key: String
        public var message: String
        public var active: Bool

        /// Whether chat on `channel` from `speaker` (`speakerKey`) saying `text` is heard.
        public func matches(channel: Int32, speaker: String, speakerKey: String, text: String) -> Bool {
            active && self.channel == channel && (name.isEmpty || name == speaker)
                && (key.isEmpty || key == LSLConsoleHost.nullKey || key == speakerKey)
                && (message.isEmpty || message == text)
        }
    }

    /// Someone or something the current event detected (`llDetected*`).
    public struct Detected: Sendable, Hashable {
        public var name: String
        public var key: String
        public var owner: String
        public var position: LSLVector
        public var type: Int32

        public init(name: String, key: String, owner: String, position: LSLVector, type: Int32) {
            self.name = name
            self.key = key
            self.owner = owner
            self.position = position
            self.type = type
        }
    }

    public static let nullKey = "00000000-0000-0000-0000-000000000000"
    /// Script time 0 is this Unix time: 2026-01-01 00:00:00 UTC.
    public static let defaultStartUnixTime: Int64 = 1_767_225_600
    /// Faces of the pretend prim (a box has 6; SL's ALL_SIDES covers them all).
    public static let faceCount = 6

    public let output: (String) -> Void
    /// Called with each event a world function causes; the driver posts it to the script.
    public var onEvent: ((LSLEvent) -> Void)?
    /// The script's time in seconds, set by the driver.
    public var now: Double = 0
    public var startUnixTime: Int64 = LSLConsoleHost.defaultStartUnixTime

    public var objectName = "Object"
    public let objectKey = "a0b1c2d3-0000-4000-8000-00000000cafe"
    public var objectDescription = ""
    public var ownerName = "Owner"
    public let ownerKey = "0f0e0d0c-0000-4000-8000-0000000000a1"
    public var regionName = "Console"
    public var regionCorner = LSLVector(256_000, 256_000, 0)
    public var position = LSLVector(128, 128, 25)
    public var rotation = LSLRotation.identity
    public var scale = LSLVector(0.5, 0.5, 0.5)
    public var colors = [LSLVector](repeating: LSLVector(1, 1, 1), count: LSLConsoleHost.faceCount)
    public var alphas = [Float](repeating: 1, count: LSLConsoleHost.faceCount)
    public var text = ""
    public var textColor = LSLVector(1, 1, 1)
    public var textAlpha: Float = 1
    /// Listens by handle.
    public private(set) var listens: [Int32: Listen] = [:]
    private var nextListenHandle: Int32 = 1
    /// What `llDetected*` answer about: the detected list of the last touch, collision or chat
    /// the driver delivered.
    public var detected: [Detected] = []
    /// Permissions granted by `llRequestPermissions`, and by whom.
    public private(set) var permissions: Int32 = 0
    public private(set) var permissionsKey = ""
    /// Names of the avatars the script has met (the owner and anyone in the events file), by key.
    public private(set) var avatarNames: [String: String] = [:]
    private var requestCounter: UInt64 = 0

    public init(output: @escaping (String) -> Void) {
        self.output = output
        avatarNames[ownerKey] = ownerName
    }

    /// A stable key for an avatar of that name (the owner's for the owner), remembered so
    /// `llKey2Name` knows it.
    public func avatarKey(for name: String) -> String {
        if name == ownerName { return ownerKey }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16).consolePadded(to: 16)
        let key = "\(hex.prefix(8))-\(hex.dropFirst(8).prefix(4))-4\(hex.dropFirst(12).prefix(3))-8000-\(String(hex.suffix(12)).consolePadded(to: 12))"
        avatarNames[key] = name
        return key
    }

    /// An avatar, as a touch or chat detects it: a metre east of the object.
    public func avatar(named name: String) -> Detected {
        let key = avatarKey(for: name)
        return Detected(name: name, key: key, owner: key, position: LSLVector(position.x + 1, position.y, position.z), type: 1)
    }

    /// Whether a listen hears chat on `channel` from `speaker` saying `text`.
    public func hears(channel: Int32, speaker: String, text: String) -> Bool {
        let key = avatarKey(for: speaker)
        return listens.values.contains { $0.matches(channel: channel, speaker: speaker, speakerKey: key, text: text) }
    }

    // MARK: - LSLHost

    public func print(_ text: String, script: LSLScript) {
        output(text)
    }

    public func stateChanged(to state: String, script: LSLScript) {
        enteredState(state)
    }

    public func reset(script: LSLScript) {
        resetScript()
    }

    /// A change of state: the listens end, as in SL.
    public func enteredState(_ state: String) {
        listens = [:]
    }

    /// `llResetScript`: the listens end and the permissions are released.
    public func resetScript() {
        listens = [:]
        permissions = 0
        permissionsKey = ""
    }

    public func call(_ function: LSLFunctionDefinition, _ arguments: [LSLValue], script: LSLScript) throws(LSLRuntimeError) -> LSLValue {
        perform(function, Arguments(values: arguments))
    }

    /// The work of `call`, without a script (the tests call it directly).
    public func perform(_ function: LSLFunctionDefinition, _ a: Arguments) -> LSLValue {
        if let answer = chat(function.name, a) ?? objectFunction(function.name, a) ?? query(function.name, a) {
            return answer
        }
        output("\(function.name)(\(a.values.map(LSLConsoleHost.describe).joined(separator: ", "))) (pretend)")
        return function.returnType.map(LSLValue.zero(of:)) ?? .integer(0)
    }

    // MARK: - Chat and listens

    private func chat(_ name: String, _ a: Arguments) -> LSLValue? {
        let none = LSLValue.integer(0)
        switch name {
        case "llSay": say("", a.integer(0), a.string(1))
        case "llWhisper": say(" whispers", a.integer(0), a.string(1))
        case "llShout": say(" shouts", a.integer(0), a.string(1))
        case "llRegionSay":
            if a.integer(0) == 0 {
                output("llRegionSay: channel 0 is not allowed, nothing said")
            } else {
                output("\(objectName) [region, channel \(a.integer(0))]: \(a.string(1))")
            }
        case "llRegionSayTo":
            output("\(objectName) [to \(nameOf(a.string(0))), channel \(a.integer(1))]: \(a.string(2))")
        case "llOwnerSay": output("\(objectName) [owner]: \(a.string(0))")
        case "llInstantMessage": output("\(objectName) [IM to \(nameOf(a.string(0)))]: \(a.string(1))")
        case "llListen":
            let handle = nextListenHandle
            nextListenHandle += 1
            listens[handle] = Listen(channel: a.integer(0), name: a.string(1), key: a.string(2), message: a.string(3), active: true)
            output("llListen: handle \(handle) on channel \(a.integer(0))"
                + (a.string(1).isEmpty ? "" : ", name \(LSLConsoleHost.quoted(a.string(1)))")
                + (a.string(2).isEmpty || a.string(2) == LSLConsoleHost.nullKey ? "" : ", key \(a.string(2))")
                + (a.string(3).isEmpty ? "" : ", message \(LSLConsoleHost.quoted(a.string(3)))"))
            return .integer(handle)
        case "llListenRemove":
            if listens.removeValue(forKey: a.integer(0)) != nil { output("llListenRemove: handle \(a.integer(0)) removed") }
        case "llListenControl":
            if listens[a.integer(0)] != nil {
                listens[a.integer(0)]?.active = a.integer(1) != 0
                output("llListenControl: handle \(a.integer(0)) \(a.integer(1) != 0 ? "on" : "off")")
            }
        default: return nil
        }
        return none
    }

    private func say(_ verb: String, _ channel: Int32, _ text: String) {
        output("\(objectName)\(verb)\(channel == 0 ? "" : " [channel \(channel)]"): \(text)")
    }

    private func nameOf(_ key: String) -> String {
        if key == objectKey { return objectName }
        return avatarNames[key] ?? key
    }

    // MARK: - The object

    private func objectFunction(_ name: String, _ a: Arguments) -> LSLValue? {
        let none = LSLValue.integer(0)
        switch name {
        case "llSetPos", "llSetRegionPos":
            position = a.vector(0)
            output("\(name): position is now \(LSLConsoleHost.describe(.vector(position)))")
            return name == "llSetRegionPos" ? .integer(1) : none
        case "llSetRot", "llSetLocalRot":
            rotation = a.rotation(0)
            output("\(name): rotation is now \(LSLConsoleHost.describe(.rotation(rotation)))")
        case "llSetScale":
            scale = a.vector(0)
            output("llSetScale: scale is now \(LSLConsoleHost.describe(.vector(scale)))")
        case "llSetText":
            text = a.string(0)
            textColor = a.vector(1)
            textAlpha = a.float(2)
            output("llSetText: text is now \(LSLConsoleHost.quoted(text)), color \(LSLConsoleHost.describe(.vector(textColor))), alpha \(LSLConsoleHost.fixed(textAlpha, 5))")
        case "llSetColor": setColor(a.vector(0), face: a.integer(1), by: name)
        case "llSetAlpha": setAlpha(a.float(0), face: a.integer(1), by: name)
        case "llSetLinkColor":
            if isThisPrim(a.integer(0)) { setColor(a.vector(1), face: a.integer(2), by: name) }
        case "llSetLinkAlpha":
            if isThisPrim(a.integer(0)) { setAlpha(a.float(1), face: a.integer(2), by: name) }
        case "llSetObjectName":
            objectName = a.string(0)
            output("llSetObjectName: name is now \(LSLConsoleHost.quoted(objectName))")
        case "llSetObjectDesc":
            objectDescription = a.string(0)
            output("llSetObjectDesc: description is now \(LSLConsoleHost.quoted(objectDescription))")
        case "llSetPrimitiveParams":
            setParameters(a.list(0), by: name)
        case "llSetLinkPrimitiveParams", "llSetLinkPrimitiveParamsFast":
            if isThisPrim(a.integer(0)) { setParameters(a.list(1), by: name) }
        case "llRequestPermissions":
            let agent = a.string(0)
            permissions = a.integer(1)
            permissionsKey = agent
            output("llRequestPermissions: \(nameOf(agent)) grants \(LSLConsoleHost.hex(permissions))")
            onEvent?(LSLEvent("run_time_permissions", [.integer(permissions)]))
        case "llMessageLinked":
            // The script's own prim is the whole object: every target but the others reaches it.
            let link = a.integer(0)
            output("llMessageLinked: to link \(link), number \(a.integer(1)), \(LSLConsoleHost.quoted(a.string(2))), \(a.string(3).isEmpty ? "no key" : a.string(3))")
            if isThisPrim(link) {
                onEvent?(LSLEvent("link_message", [.integer(0), .integer(a.integer(1)), .string(a.string(2)), .key(a.string(3))]))
            }
        case "llSensor":
            output("llSensor: no one around")
            onEvent?(LSLEvent("no_sensor"))
        default: return nil
        }
        return none
    }

    /// Whether a link number reaches the single prim (LINK_SET, LINK_THIS, LINK_ROOT, 0 or 1).
    private func isThisPrim(_ link: Int32) -> Bool {
        [-1, -4, 0, 1].contains(link)
    }

    private func faces(_ face: Int32) -> [Int] {
        if face == -1 { return Array(0..<LSLConsoleHost.faceCount) }
        return face >= 0 && Int(face) < LSLConsoleHost.faceCount ? [Int(face)] : []
    }

    private func faceText(_ face: Int32) -> String { face == -1 ? "every face" : "face \(face)" }

    private func setColor(_ color: LSLVector, face: Int32, by name: String) {
        for index in faces(face) { colors[index] = color }
        output("\(name): \(faceText(face)) color is now \(LSLConsoleHost.describe(.vector(color)))")
    }

    private func setAlpha(_ alpha: Float, face: Int32, by name: String) {
        for index in faces(face) { alphas[index] = alpha }
        output("\(name): \(faceText(face)) alpha is now \(LSLConsoleHost.fixed(alpha, 5))")
    }

    /// The rules of `llSetPrimitiveParams` that the pretend prim keeps (position, rotation,
    /// size, color, text, name, description); other rules are skipped and named.
    private func setParameters(_ rules: [LSLValue], by name: String) {
        var done: [String] = []
        var index = 0
        func next() -> LSLValue? {
            defer { index += 1 }
            return index < rules.count ? rules[index] : nil
        }
        while let rule = next() {
            guard case .integer(let code) = rule else { done.append("stopped at \(LSLConsoleHost.describe(rule))"); break }
            switch code {
            case 6, 33:
                guard case .vector(let v)? = next() else { done.append("PRIM_POSITION without a vector"); index = rules.count; continue }
                position = v
                done.append("position \(LSLConsoleHost.describe(.vector(v)))")
            case 8, 29:
                guard case .rotation(let r)? = next() else { done.append("PRIM_ROTATION without a rotation"); index = rules.count; continue }
                rotation = r
                done.append("rotation \(LSLConsoleHost.describe(.rotation(r)))")
            case 7:
                guard case .vector(let v)? = next() else { done.append("PRIM_SIZE without a vector"); index = rules.count; continue }
                scale = v
                done.append("size \(LSLConsoleHost.describe(.vector(v)))")
            case 18:
                guard case .integer(let face)? = next(), case .vector(let color)? = next(), let alpha = next()?.consoleFloat else {
                    done.append("PRIM_COLOR without face, color and alpha"); index = rules.count; continue
                }
                for i in faces(face) {
                    colors[i] = color
                    alphas[i] = alpha
                }
                done.append("\(faceText(face)) color \(LSLConsoleHost.describe(.vector(color))) alpha \(LSLConsoleHost.fixed(alpha, 5))")
            case 26:
                guard case .string(let t)? = next(), case .vector(let color)? = next(), let alpha = next()?.consoleFloat else {
                    done.append("PRIM_TEXT without text, color and alpha"); index = rules.count; continue
                }
                text = t
                textColor = color
                textAlpha = alpha
                done.append("text \(LSLConsoleHost.quoted(t))")
            case 27, 28:
                guard case .string(let t)? = next() else { done.append("PRIM_NAME/PRIM_DESC without a string"); index = rules.count; continue }
                if code == 27 { objectName = t } else { objectDescription = t }
                done.append("\(code == 27 ? "name" : "description") \(LSLConsoleHost.quoted(t))")
            default:
                done.append("rule \(code) and what follows skipped (pretend)")
                index = rules.count
            }
        }
        output("\(name): " + (done.isEmpty ? "nothing to set" : done.joined(separator: ", ")))
    }

    // MARK: - Questions

    private func query(_ name: String, _ a: Arguments) -> LSLValue? {
        switch name {
        case "llGetPos", "llGetLocalPos", "llGetRootPosition": return .vector(position)
        case "llGetRot", "llGetLocalRot", "llGetRootRotation": return .rotation(rotation)
        case "llGetScale": return .vector(scale)
        case "llGetColor":
            // ALL_SIDES: the average of the faces, as SL answers.
            if a.integer(0) == -1 {
                let n = Float(colors.count)
                let sum = colors.reduce(LSLVector.zero) { LSLVector($0.x + $1.x, $0.y + $1.y, $0.z + $1.z) }
                return .vector(LSLVector(sum.x / n, sum.y / n, sum.z / n))
            }
            return .vector(faces(a.integer(0)).first.map { colors[$0] } ?? .zero)
        case "llGetAlpha":
            if a.integer(0) == -1 { return .float(alphas.reduce(0, +)) }
            return .float(faces(a.integer(0)).first.map { alphas[$0] } ?? 0)
        case "llGetObjectName": return .string(objectName)
        case "llGetObjectDesc": return .string(objectDescription)
        case "llGetKey", "llGetLinkKey": return .key(objectKey)
        case "llGetLinkName": return .string(objectName)
        case "llGetOwner", "llGetCreator": return .key(ownerKey)
        case "llGetPermissionsKey": return .key(permissionsKey)
        case "llGetPermissions": return .integer(permissions)
        case "llGetOwnerKey":
            return .key(a.string(0) == objectKey ? ownerKey : a.string(0))
        case "llKey2Name", "llGetDisplayName", "llGetUsername":
            let key = a.string(0)
            if key == objectKey && name == "llKey2Name" { return .string(objectName) }
            guard let who = avatarNames[key] else { return .string("") }
            return .string(name == "llGetUsername" ? who.lowercased().consoleReplacing(" ", with: ".") : who)
        case "llGetPrimitiveParams": return .list(parameters(a.list(0)))
        case "llGetLinkPrimitiveParams": return .list(isThisPrim(a.integer(0)) ? parameters(a.list(1)) : [])
        case "llGetLinkNumber": return .integer(0)
        case "llGetNumberOfPrims", "llGetObjectPrimCount": return .integer(1)
        case "llGetNumberOfSides": return .integer(Int32(LSLConsoleHost.faceCount))
        case "llGetInventoryNumber": return .integer(0)
        case "llGetInventoryName", "llGetInventoryDesc": return .string("")
        case "llGetInventoryType": return .integer(-1)
        case "llGetInventoryKey", "llGetInventoryCreator": return .key(LSLConsoleHost.nullKey)
        case "llGetInventoryPermMask", "llGetInventoryAcquireTime": return LSLValue.zero(of: name == "llGetInventoryPermMask" ? .integer : .string)
        case "llGetScriptName": return .string("script")
        case "llGetText": return .string(text)
        case "llGetRegionName": return .string(regionName)
        case "llGetRegionCorner": return .vector(regionCorner)
        case "llGetRegionFPS": return .float(45)
        case "llGetRegionTimeDilation": return .float(1)
        case "llGetAttached": return .integer(0)
        case "llGetVel", "llGetAccel", "llGetOmega", "llGetTorque", "llGetForce": return .vector(.zero)
        case "llGetUnixTime": return .integer(Int32(truncatingIfNeeded: unixTime))
        case "llGetGMTclock": return .float(Float(secondsOfDay(offsetHours: 0)))
        case "llGetWallclock": return .float(Float(secondsOfDay(offsetHours: -8)))
        case "llGetDate": return .string(dateText(includeTime: false))
        case "llGetTimestamp": return .string(dateText(includeTime: true))
        case "llHTTPRequest", "llRequestAgentData", "llRequestDisplayName", "llRequestUsername",
             "llGetNotecardLine", "llGetNumberOfNotecardLines", "llRequestInventoryData", "llRequestSimulatorData":
            requestCounter += 1
            output("\(name)(\(a.values.map(LSLConsoleHost.describe).joined(separator: ", "))) (pretend: no answer will come)")
            return .key("0000000\(requestCounter % 10)-0000-4000-8000-\(String(requestCounter, radix: 16).consolePadded(to: 12))")
        default:
            return detectedQuery(name, a)
        }
    }

    /// `llGetPrimitiveParams`: the rules the pretend prim keeps (as `setParameters`); the
    /// answer ends at the first other rule.
    private func parameters(_ rules: [LSLValue]) -> [LSLValue] {
        var answer: [LSLValue] = []
        var index = 0
        while index < rules.count, case .integer(let code) = rules[index] {
            index += 1
            switch code {
            case 6, 33: answer.append(.vector(position))
            case 8, 29: answer.append(.rotation(rotation))
            case 7: answer.append(.vector(scale))
            case 18:
                guard index < rules.count, case .integer(let face) = rules[index] else { return answer }
                index += 1
                for i in faces(face) { answer += [.vector(colors[i]), .float(alphas[i])] }
            case 26: answer += [.string(text), .vector(textColor), .float(textAlpha)]
            case 27: answer.append(.string(objectName))
            case 28: answer.append(.string(objectDescription))
            default: return answer
            }
        }
        return answer
    }

    private func detectedQuery(_ name: String, _ a: Arguments) -> LSLValue? {
        guard name.hasPrefix("llDetected") else { return nil }
        let index = Int(a.integer(0))
        let who: Detected? = index >= 0 && index < detected.count ? detected[index] : nil
        switch name {
        case "llDetectedName": return .string(who?.name ?? "")
        case "llDetectedKey": return .key(who?.key ?? LSLConsoleHost.nullKey)
        case "llDetectedOwner": return .key(who?.owner ?? LSLConsoleHost.nullKey)
        case "llDetectedType": return .integer(who?.type ?? 0)
        case "llDetectedPos": return .vector(who?.position ?? .zero)
        case "llDetectedRot": return .rotation(.identity)
        case "llDetectedVel", "llDetectedGrab", "llDetectedTouchNormal", "llDetectedTouchBinormal": return .vector(.zero)
        case "llDetectedGroup": return .integer(0)
        case "llDetectedLinkNumber", "llDetectedTouchFace": return .integer(who == nil ? -1 : 0)
        case "llDetectedTouchPos": return .vector(who == nil ? .zero : position)
        case "llDetectedTouchST", "llDetectedTouchUV": return .vector(who == nil ? LSLVector(-1, -1, 0) : LSLVector(0.5, 0.5, 0))
        case "llDetectedRezzer": return .key(LSLConsoleHost.nullKey)
        case "llDetectedDamage": return .list([])
        default: return nil
        }
    }

    // MARK: - Clock

    private var unixTime: Int64 { startUnixTime + Int64(now.rounded(.down)) }

    private func secondsOfDay(offsetHours: Int64) -> Double {
        LSLWallClock.secondsOfDay(Double(startUnixTime + offsetHours * 3600) + now)
    }

    /// `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm:ss.ffffffZ` (UTC), at script time `now`.
    private func dateText(includeTime: Bool) -> String {
        let total = Double(startUnixTime) + now
        let seconds = Int64(total.rounded(.down))
        let micro = Int64(((total - Double(seconds)) * 1_000_000).rounded(.down))
        return LSLWallClock.text(seconds: seconds, micros: micro, includeTime: includeTime)
    }

    /// The proleptic Gregorian date of a day number (days since 1970-01-01).
    static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        LSLWallClock.civilDate(daysSince1970: daysSince1970)
    }

    // MARK: - Text of values

    /// How the console shows a value: numbers as SL casts them to string (floats with 6
    /// decimals, vector and rotation components with 5), strings and keys in quotes.
    public static func describe(_ value: LSLValue) -> String {
        switch value {
        case .integer(let v): String(v)
        case .float(let v): fixed(v, 6)
        case .string(let s), .key(let s): quoted(s)
        case .vector(let v): "<\(fixed(v.x, 5)), \(fixed(v.y, 5)), \(fixed(v.z, 5))>"
        case .rotation(let r): "<\(fixed(r.x, 5)), \(fixed(r.y, 5)), \(fixed(r.z, 5)), \(fixed(r.s, 5))>"
        case .list(let items): "[" + items.map(describe).joined(separator: ", ") + "]"
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.consoleReplacing("\\", with: "\\\\").consoleReplacing("\"", with: "\\\"")
            .consoleReplacing("\n", with: "\\n") + "\""
    }

    static func hex(_ value: Int32) -> String {
        "0x" + String(String(UInt32(bitPattern: value), radix: 16)).consolePadded(to: 8)
    }

    /// `value` with exactly `decimals` digits after the point, rounded half away from zero.
    static func fixed(_ value: Float, _ decimals: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(Double(value)) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return String(value) }
        let digits = String(UInt64(scaled)).consolePadded(to: decimals + 1)
        let negative = value < 0 && scaled != 0
        return (negative ? "-" : "") + digits.dropLast(decimals) + "." + digits.suffix(decimals)
    }
}

extension LSLConsoleHost {
    /// The arguments of a call, read by the definition's parameter types.
    public typealias Arguments = LSLArguments
}

extension LSLValue {
    // Console-host helpers, private to the module.
    /// A float or integer as a float; nil for other types.
    var consoleFloat: Float? {
        switch self {
        case .float(let v): v
        case .integer(let v): Float(v)
        default: nil
        }
    }
}

extension String {
    func consolePadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    func consoleReplacing(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
