import Foundation
import TesseraWorld

/// One folder of an inventory skeleton, as the login reply lists it.
public struct InventorySkeletonFolder: Sendable, Equatable {
    public var folderID: UUID
    /// The all-zero UUID for a root folder.
    public var parentID: UUID
    public var name: String
    /// The folder's preferred type (8 the root, 14 the trash, −1 none, …).
    public var typeDefault: Int32
    public var version: Int32

    public init(folderID: UUID, parentID: UUID, name: String, typeDefault: Int32, version: Int32 = 1) {
        self.folderID = folderID
        self.parentID = parentID
        self.name = name
        self.typeDefault = typeDefault
        self.version = version
    }

    var xmlrpc: XMLRPCValue {
        .struct([
            "folder_id": .string(folderID.loginText), "parent_id": .string(parentID.loginText),
            "name": .string(name), "type_default": .int(typeDefault), "version": .int(version),
        ])
    }
}

/// Where the avatar's home is: the region and a position and direction in it.
public struct ViewerHome: Sendable, Equatable {
    public var region: GridPosition
    public var position: Vector3
    public var lookAt: Vector3

    public init(region: GridPosition, position: Vector3, lookAt: Vector3 = Vector3(1, 0, 0)) {
        self.region = region
        self.position = position
        self.lookAt = lookAt
    }
}

/// Everything a successful login tells the viewer.
public struct ViewerLoginSuccess: Sendable, Equatable {
    public var agentID: UUID
    public var sessionID: UUID
    public var secureSessionID: UUID
    public var firstName: String
    public var lastName: String
    /// The code the viewer's UseCircuitCode carries. Viewers read it as a signed 32-bit number:
    /// draw it from 1...Int32.max (`ViewerLoginReply.maxCircuitCode`).
    public var circuitCode: UInt32
    /// The start region's UDP endpoint (an endpoint of the client manager).
    public var simIP: String
    public var simPort: UInt16
    public var region: GridPosition
    public var seedCapability: String
    public var start: StartLocation
    public var lookAt: Vector3
    public var home: ViewerHome
    public var inventoryRoot: UUID
    /// Must hold the root folder itself (parent all zeros) and may hold more.
    public var inventorySkeleton: [InventorySkeletonFolder]
    /// The message of the day.
    public var message: String
    /// The grid's clock, given by the caller (this module reads no clock).
    public var secondsSinceEpoch: Int64
    public var mapServerURL: String?

    public init(
        agentID: UUID, sessionID: UUID, secureSessionID: UUID, firstName: String, lastName: String,
        circuitCode: UInt32, simIP: String, simPort: UInt16, region: GridPosition, seedCapability: String,
        start: StartLocation, lookAt: Vector3 = Vector3(1, 0, 0), home: ViewerHome, inventoryRoot: UUID,
        inventorySkeleton: [InventorySkeletonFolder], message: String, secondsSinceEpoch: Int64, mapServerURL: String? = nil
    ) {
        self.agentID = agentID
        self.sessionID = sessionID
        self.secureSessionID = secureSessionID
        self.firstName = firstName
        self.lastName = lastName
        self.circuitCode = circuitCode
        self.simIP = simIP
        self.simPort = simPort
        self.region = region
        self.seedCapability = seedCapability
        self.start = start
        self.lookAt = lookAt
        self.home = home
        self.inventoryRoot = inventoryRoot
        self.inventorySkeleton = inventorySkeleton
        self.message = message
        self.secondsSinceEpoch = secondsSinceEpoch
        self.mapServerURL = mapServerURL
    }
}

/// Why a login was refused; the raw value is the reply's `reason`.
public enum ViewerLoginRefusalReason: String, Sendable, CaseIterable {
    /// Unknown name or wrong password (the same reason for both, so names cannot be probed).
    case key
    /// The avatar is already in the world.
    case presence
    /// The viewer must be updated (the viewer offers the download).
    case update
    /// The request was malformed (a field missing or out of bounds).
    case input
    /// The start region (and every fallback) is not available.
    case region
    /// The grid cannot take the login now.
    case unavailable
}

/// The login reply, an XML-RPC struct (docs/sl-protocol.md, "Login").
public enum ViewerLoginReply: Sendable, Equatable {
    case success(ViewerLoginSuccess)
    /// `login` "false" with the reason and the message the viewer shows.
    case refusal(reason: ViewerLoginRefusalReason, message: String)

    public static let maxCircuitCode = UInt32(Int32.max)

    /// The XML-RPC document (HTTP 200, `Content-Type: text/xml`).
    public func encode() -> String {
        XMLRPCResponse.value(xmlrpc).encode()
    }

    public var xmlrpc: XMLRPCValue {
        switch self {
        case .refusal(let reason, let message):
            .struct(["login": .string("false"), "reason": .string(reason.rawValue), "message": .string(message)])
        case .success(let success):
            .struct(Self.members(success))
        }
    }

    static func members(_ reply: ViewerLoginSuccess) -> [String: XMLRPCValue] {
        var members: [String: XMLRPCValue] = [
            "login": .string("true"),
            "message": .string(reply.message),
            "agent_id": .string(reply.agentID.loginText),
            "session_id": .string(reply.sessionID.loginText),
            "secure_session_id": .string(reply.secureSessionID.loginText),
            "first_name": .string("\"" + reply.firstName + "\""),
            "last_name": .string(reply.lastName),
            "circuit_code": .int(Int32(truncatingIfNeeded: reply.circuitCode)),
            "sim_ip": .string(reply.simIP),
            "sim_port": .int(Int32(reply.simPort)),
            "region_x": metres(reply.region.x),
            "region_y": metres(reply.region.y),
            "seed_capability": .string(reply.seedCapability),
            "start_location": .string(reply.start.replyName),
            "look_at": .string(LLSDNotation.encode(vector(reply.lookAt))),
            "home": .string(LLSDNotation.encode(.map([
                "region_handle": .array([.real(Double(UInt32(reply.home.region.x) * 256)), .real(Double(UInt32(reply.home.region.y) * 256))]),
                "position": vector(reply.home.position),
                "look_at": vector(reply.home.lookAt),
            ]))),
            "agent_access": .string("M"),
            "agent_access_max": .string("A"),
            "agent_region_access": .string("M"),
            "seconds_since_epoch": .int(Int32(clamping: reply.secondsSinceEpoch)),
            "inventory-root": .array([.struct(["folder_id": .string(reply.inventoryRoot.loginText)])]),
            "inventory-skeleton": .array(reply.inventorySkeleton.map(\.xmlrpc)),
            "inventory-lib-root": .array([]),
            "inventory-lib-owner": .array([]),
            "inventory-skel-lib": .array([]),
            "buddy-list": .array([]),
            "gestures": .array([]),
            "initial-outfit": .array([]),
            "event_categories": .array([]),
            "event_notifications": .array([]),
            "classified_categories": .array([.struct(["category_id": .int(1), "category_name": .string("Any")])]),
            "login-flags": .array([.struct([
                "stipend_since_login": .string("N"), "ever_logged_in": .string("Y"),
                "daylight_savings": .string("N"), "gendered": .string("Y"),
            ])]),
            "global-textures": .array([.struct([
                "cloud_texture_id": .string("dc4b9f0b-d008-45c6-96a4-01dd947ac621"),
                "sun_texture_id": .string("cce0f112-878f-4586-a2e2-a8f104bba271"),
                "moon_texture_id": .string("ec4b9f0b-d008-45c6-96a4-01dd947ac621"),
            ])]),
            "ui-config": .array([.struct(["allow_first_life": .string("Y")])]),
            "max-agent-groups": .int(42),
        ]
        if let url = reply.mapServerURL { members["map-server-url"] = .string(url) }
        return members
    }

    /// Metres of a grid coordinate: an int when it fits one (every coordinate below 8,388,608);
    /// beyond, the decimal text — which viewers read, while clients that need an int cannot.
    static func metres(_ coordinate: UInt32) -> XMLRPCValue {
        let metres = coordinate * 256
        if let value = Int32(exactly: metres) { return .int(value) }
        return .string(String(metres))
    }

    static func vector(_ vector: Vector3) -> LLSD {
        .array([.real(Double(vector.x)), .real(Double(vector.y)), .real(Double(vector.z))])
    }
}

fileprivate extension UUID {
    /// The 8-4-4-4-12 form in lowercase, as the SL protocol writes UUIDs in text.
    var loginText: String { uuidString.lowercased() }
}
