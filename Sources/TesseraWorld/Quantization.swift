/// Compact forms of positions, rotations and velocities, shared by Tessera wire and the client
/// protocol (docs/client-protocol.md, "Quantization").

/// A region-local position in 64 bits: x and y in 20 bits each over [-128, 384) m (0.488 mm
/// steps), so that ghosts of a neighbour's entities up to 128 m past a border keep their place;
/// z in 24 bits over [0, 4096) m (0.244 mm steps). Bits 0–19 x, 20–39 y, 40–63 z.
public struct PackedPosition: Hashable, Sendable {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    static let horizontalSteps: Float = 1_048_576
    static let verticalSteps: Float = 16_777_216
    /// The horizontal range starts this far before the region's edge.
    public static let horizontalOffset: Float = 128
    public static let horizontalRange: Float = 512
    public static let maxAltitude: Float = 4096

    public init(_ position: Vector3) {
        let x = Self.quantize(position.x, offset: Self.horizontalOffset, range: Self.horizontalRange, steps: Self.horizontalSteps)
        let y = Self.quantize(position.y, offset: Self.horizontalOffset, range: Self.horizontalRange, steps: Self.horizontalSteps)
        let z = Self.quantize(position.z, offset: 0, range: Self.maxAltitude, steps: Self.verticalSteps)
        rawValue = x | y << 20 | z << 40
    }

    public var position: Vector3 {
        let scale = Self.horizontalRange / Self.horizontalSteps
        let x = Float(rawValue & 0xF_FFFF) * scale - Self.horizontalOffset
        let y = Float(rawValue >> 20 & 0xF_FFFF) * scale - Self.horizontalOffset
        let z = Float(rawValue >> 40) * Self.maxAltitude / Self.verticalSteps
        return Vector3(x, y, z)
    }

    /// A non-finite coordinate encodes as 0 m.
    private static func quantize(_ value: Float, offset: Float, range: Float, steps: Float) -> UInt64 {
        let metres = value.isFinite ? value : 0
        let scaled = ((metres + offset) / range * steps).rounded()
        return UInt64(min(max(scaled, 0), steps - 1))
    }
}

/// A unit quaternion in 32 bits ("smallest three"): bits 30–31 name the largest component
/// (0 x, 1 y, 2 z, 3 w), which is made positive and dropped; the other three, in x-y-z-w order,
/// take 10 bits each (bits 20–29, 10–19, 0–9), mapping [-1/√2, +1/√2] to [0, 1022] (an even count of steps, so 0 is exact).
public struct PackedRotation: Hashable, Sendable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    static let bound: Float = 0.707_106_78
    static let maxStep: Float = 1022

    public init(_ rotation: Quaternion) {
        let q = rotation.normalized
        var components = [q.x, q.y, q.z, q.w]
        var largest = 0
        for index in 1..<4 where abs(components[index]) > abs(components[largest]) {
            largest = index
        }
        if components[largest] < 0 {
            components = components.map { -$0 }
        }
        var raw = UInt32(largest) << 30
        var shift: UInt32 = 20
        for index in 0..<4 where index != largest {
            let clamped = min(max(components[index], -Self.bound), Self.bound)
            let step = ((clamped + Self.bound) / (2 * Self.bound) * Self.maxStep).rounded()
            raw |= UInt32(step) << shift
            shift &-= 10
        }
        rawValue = raw
    }

    public var rotation: Quaternion {
        let largest = Int(rawValue >> 30)
        var components: [Float] = [0, 0, 0, 0]
        var shift: UInt32 = 20
        var sumSquares: Float = 0
        for index in 0..<4 where index != largest {
            let step = Float(rawValue >> shift & 0x3FF)
            let value = step / Self.maxStep * 2 * Self.bound - Self.bound
            components[index] = value
            sumSquares += value * value
            shift &-= 10
        }
        components[largest] = max(0, 1 - sumSquares).squareRoot()
        return Quaternion(x: components[0], y: components[1], z: components[2], w: components[3])
            .normalized
    }
}

/// A velocity as three signed 16-bit integers in centimetres per second (±327.67 m/s).
public struct PackedVelocity: Hashable, Sendable {
    public var x: Int16
    public var y: Int16
    public var z: Int16

    public init(x: Int16, y: Int16, z: Int16) {
        self.x = x
        self.y = y
        self.z = z
    }

    public static let zero = PackedVelocity(x: 0, y: 0, z: 0)

    public init(_ velocity: Vector3) {
        func pack(_ value: Float) -> Int16 {
            guard value.isFinite else { return 0 }
            return Int16(min(max((value * 100).rounded(), -32767), 32767))
        }
        self.init(x: pack(velocity.x), y: pack(velocity.y), z: pack(velocity.z))
    }

    public var velocity: Vector3 {
        Vector3(Float(x) / 100, Float(y) / 100, Float(z) / 100)
    }
}

/// The moving part of an entity's state, quantized: what changes frame to frame.
public struct EntityMotion: Hashable, Sendable {
    public var position: PackedPosition
    public var rotation: PackedRotation
    public var velocity: PackedVelocity

    public init(position: PackedPosition, rotation: PackedRotation, velocity: PackedVelocity) {
        self.position = position
        self.rotation = rotation
        self.velocity = velocity
    }

    public init(position: Vector3, rotation: Quaternion, velocity: Vector3) {
        self.init(
            position: PackedPosition(position),
            rotation: PackedRotation(rotation),
            velocity: PackedVelocity(velocity)
        )
    }
}
