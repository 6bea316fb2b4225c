import NIOCore
import Testing
@testable import TesseraClientManager
import TesseraClientProtocol
import TesseraWorld

@Suite struct EntityUpdateFastEncodingTests {
    @Test func fastPathWritesTheSameBytesAsTheGenericEncoder() {
        let position = PackedPosition(Vector3(12.5, 200.25, 30))
        let rotation = PackedRotation(Quaternion(yaw: 1.2))
        let velocity = PackedVelocity(Vector3(-3.2, 1, 0.5))
        let samples = [
            EntityUpdate(localID: 7, position: position),
            EntityUpdate(localID: 8, rotation: rotation),
            EntityUpdate(localID: 9, velocity: velocity),
            EntityUpdate(localID: 0xDEAD_BEEF, position: position, rotation: rotation, velocity: velocity),
            EntityUpdate(localID: 10, position: position, velocity: velocity),
        ]
        for update in samples {
            var fast = ByteBuffer()
            update.encodeMessage(into: &fast)
            var generic = ByteBuffer()
            ServerMessage.entityUpdate(update).encode(into: &generic)
            #expect(fast == generic)
        }
    }
}
