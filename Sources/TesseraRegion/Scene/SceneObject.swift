import Foundation
import TesseraGridProtocol
import TesseraHandoff
import TesseraWorld

/// A primitive object in the scene, with what persistence needs to store it.
struct SceneObject {
    let localID: LocalID
    /// Its identity in storage and across regions.
    let id: UUID
    var shape: Shape
    var name: String
    var position: Vector3
    var rotation: Quaternion
    var scale: Vector3
    /// The owner's account (an avatar's agent id is its account id).
    let owner: AgentID
    let creator: AgentID?
    /// The object asset it was rezzed from; nil for objects built in the world.
    let asset: AssetID?
    /// base, owner, group, everyone, next owner.
    let masks: [UInt32]
    /// Whether its row exists in storage (it was rezzed, restored, or flushed once).
    var stored: Bool
    /// Changed since the last flush.
    var dirty: Bool
    /// A take is on its way to the grid: it cannot be deleted, and flushes leave it alone.
    var beingTaken = false
    /// The hand-off carrying it to a neighbour: it cannot be changed until that ends.
    var travelling: HandoffID?
    /// Moved by the physics service (gravity, collisions, pushes); static otherwise.
    var physical = false
    /// Its collision starts and ends are asked of the physics service.
    var reportsCollisions = false
    /// Metres per second, from the physics service (zero for static objects).
    var velocity: Vector3 = .zero
    /// Colour and floating text.
    var look = ObjectLook.plain
    /// Scripts (with their latest checkpoints) and objects it can rez.
    var contents: [ContentItem] = []

    var motion: EntityMotion { EntityMotion(position: position, rotation: rotation, velocity: velocity) }

    static let minScale: Float = 0.01
    static let maxScale: Float = 64
    /// Objects built in the world give their owner every right (Second Life's masks).
    static let fullMasks: [UInt32] = [0x7FFF_FFFF, 0x7FFF_FFFF, 0, 0, 0x7FFF_FFFF]

    var record: SceneObjectRecord {
        SceneObjectRecord(
            id: id, owner: owner, creator: creator, asset: asset, name: name, shape: shape,
            position: position, rotation: rotation, scale: scale, masks: masks, physical: physical, reportsCollisions: reportsCollisions,
            look: look, contents: contents)
    }
}
