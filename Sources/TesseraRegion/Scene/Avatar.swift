import TesseraHandoff
import TesseraWorld

/// An avatar whose root is this region.
struct Avatar {
    let localID: LocalID
    let agentID: AgentID
    let name: String
    /// The client manager connection that routes this avatar's client.
    let manager: ManagerID
    var position: Vector3
    var velocity: Vector3
    var rotation: Quaternion
    var intent: MovementIntent = .stop
    /// Slots of the entities this avatar currently sees (always including itself).
    var visible = SlotSet()
    /// Set on arrival: the next interest pass sends the whole initial view.
    var needsInitialView = true
    /// The hand-off this avatar is travelling in: it is frozen until it ends.
    var handoff: HandoffID?
    /// The sequence number of the last client command applied to this avatar.
    var lastSequence: UInt32 = 0
    /// When it arrived in this region (login or hand-off), milliseconds since 1970.
    var arrivedMillis: UInt64 = 0

    /// Avatars are drawn as an upright cylinder of roughly human size.
    static let scale = Vector3(0.45, 0.6, 1.9)

    var motion: EntityMotion { EntityMotion(position: position, rotation: rotation, velocity: velocity) }
}

/// Kinematic movement: intents become velocities over the terrain's height (when no physics
/// service is attached, or while it is lost).
enum Kinematics {
    static let gravity: Float = 9.8

    /// `walls` says, for a point past the square, which axes are blocked (no region behind).
    static func step(_ avatar: inout Avatar, dt: Float, terrain: Terrain, walls: (Vector3) -> (x: Bool, y: Bool) = { _ in (true, true) }) {
        let intent = avatar.intent
        let ground = terrain.height(at: avatar.position)
        let speed = intent.mode.speed
        avatar.rotation = Quaternion(yaw: intent.heading)
        avatar.velocity.x = speed * intent.heading.cosine
        avatar.velocity.y = speed * intent.heading.sine
        if intent.mode == .fly {
            avatar.velocity.z = Float(intent.vertical) * MovementIntent.verticalFlySpeed
        } else if avatar.position.z > ground {
            avatar.velocity.z -= gravity * dt
        } else {
            avatar.velocity.z = 0
        }
        var next = avatar.position + avatar.velocity * dt
        // A border with no region behind it is a wall; a border with one is crossed by hand-off.
        let (blockX, blockY) = walls(next)
        let low: Float = 0.1
        let high = regionSize - 0.1
        if blockX, next.x < low || next.x > high {
            next.x = min(max(next.x, low), high)
            avatar.velocity.x = 0
        }
        if blockY, next.y < low || next.y > high {
            next.y = min(max(next.y, low), high)
            avatar.velocity.y = 0
        }
        let nextGround = terrain.height(at: next)
        if next.z <= nextGround {
            next.z = nextGround
            avatar.velocity.z = 0
        }
        next.z = min(next.z, PackedPosition.maxAltitude - 1)
        avatar.position = next
    }
}
