import TesseraWorld

/// A primitive object in the scene.
struct SceneObject {
    let localID: LocalID
    var shape: Shape
    var name: String
    var position: Vector3
    var rotation: Quaternion
    var scale: Vector3
    /// Who created it; ownership rules arrive with inventory.
    let creator: AgentID

    var motion: EntityMotion { EntityMotion(position: position, rotation: rotation, velocity: .zero) }

    static let minScale: Float = 0.01
    static let maxScale: Float = 64
}
