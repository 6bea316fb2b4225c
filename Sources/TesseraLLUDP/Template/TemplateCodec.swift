import Foundation
import NIOCore
import TesseraWorld

/// One field's value in the template codec, which reads and writes any template message
/// without generated types (for logging and for messages no code handles).
public enum SLFieldValue: Sendable, Equatable {
    case u8(UInt8), u16(UInt16), u32(UInt32), u64(UInt64)
    case s8(Int8), s16(Int16), s32(Int32), s64(Int64)
    case f32(Float), f64(Double)
    case vector3(Vector3), vector3d(SIMD3<Double>), vector4(SIMD4<Float>), quaternion(Quaternion)
    case uuid(UUID), bool(Bool), ipAddress(SLIPv4), ipPort(UInt16)
    /// Fixed and Variable fields.
    case bytes([UInt8])
}

/// A message read by its template: each block in template order with its instances, each
/// instance its field values in template order.
public struct SLDynamicMessage: Sendable, Equatable {
    public var name: String
    public var blocks: [[[SLFieldValue]]]

    public init(name: String, blocks: [[[SLFieldValue]]]) {
        self.name = name
        self.blocks = blocks
    }
}

extension SLMessageSpec {
    /// Reads a body by this template; errors name message, block and field like generated code.
    public func decode(body: ByteBuffer) throws(SLDecodeError) -> SLDynamicMessage {
        var wire = body
        var blocks: [[[SLFieldValue]]] = []
        for block in self.blocks {
            let count: Int
            switch block.quantity {
            case .single: count = 1
            case .multiple(let n): count = n
            case .variable: count = wire.readableBytes == 0 ? 0 : Int(try wire.slReadU8("count"))
            }
            var instances: [[SLFieldValue]] = []
            for _ in 0..<count {
                var values: [SLFieldValue] = []
                for field in block.fields {
                    do {
                        values.append(try Self.read(field.type, from: &wire))
                    } catch {
                        throw SLDecodeError(path: "\(name).\(block.name).\(field.name)", reason: error.reason)
                    }
                }
                instances.append(values)
            }
            blocks.append(instances)
        }
        return SLDynamicMessage(name: name, blocks: blocks)
    }

    /// Writes a message by this template; a value of the wrong shape is an error naming it.
    public func encode(_ message: SLDynamicMessage, into wire: inout ByteBuffer) throws(SLDecodeError) {
        guard message.blocks.count == blocks.count else {
            throw SLDecodeError(path: name, reason: "\(message.blocks.count) blocks given, the template has \(blocks.count)")
        }
        for (block, instances) in zip(blocks, message.blocks) {
            switch block.quantity {
            case .single where instances.count != 1, .multiple where instances.count != block.multipleCount:
                throw SLDecodeError(path: "\(name).\(block.name)", reason: "\(instances.count) instances given")
            case .variable:
                guard instances.count <= 255 else { throw SLDecodeError(path: "\(name).\(block.name)", reason: "more than 255 instances") }
                wire.slWriteCount(instances.count)
            default: break
            }
            for values in instances {
                guard values.count == block.fields.count else {
                    throw SLDecodeError(path: "\(name).\(block.name)", reason: "\(values.count) values for \(block.fields.count) fields")
                }
                for (field, value) in zip(block.fields, values) {
                    guard Self.write(value, as: field.type, into: &wire) else {
                        throw SLDecodeError(path: "\(name).\(block.name).\(field.name)", reason: "\(value) is not a \(field.type.templateName)")
                    }
                }
            }
        }
    }

    /// The event-queue form, the same as the generated messages give.
    public func llsd(_ message: SLDynamicMessage) -> LLSD {
        var body: [String: LLSD] = [:]
        for (block, instances) in zip(blocks, message.blocks) {
            body[block.name] = .array(instances.map { values in
                var fields: [String: LLSD] = [:]
                for (field, value) in zip(block.fields, values) { fields[field.name] = Self.llsd(value, as: field.type) }
                return .map(fields)
            })
        }
        return SLLLSD.message(name, body)
    }

    private static func read(_ type: SLFieldType, from wire: inout ByteBuffer) throws(SLDecodeError) -> SLFieldValue {
        let path: StaticString = "field"
        switch type {
        case .u8: return .u8(try wire.slReadU8(path))
        case .u16: return .u16(try wire.slReadU16(path))
        case .u32: return .u32(try wire.slReadU32(path))
        case .u64: return .u64(try wire.slReadU64(path))
        case .s8: return .s8(try wire.slReadS8(path))
        case .s16: return .s16(try wire.slReadS16(path))
        case .s32: return .s32(try wire.slReadS32(path))
        case .s64: return .s64(try wire.slReadS64(path))
        case .f32: return .f32(try wire.slReadF32(path))
        case .f64: return .f64(try wire.slReadF64(path))
        case .vector3: return .vector3(try wire.slReadVector3(path))
        case .vector3d: return .vector3d(try wire.slReadVector3d(path))
        case .vector4: return .vector4(try wire.slReadVector4(path))
        case .quaternion: return .quaternion(try wire.slReadQuaternion(path))
        case .uuid: return .uuid(try wire.slReadUUID(path))
        case .bool: return .bool(try wire.slReadBool(path))
        case .ipAddress: return .ipAddress(try wire.slReadIPAddress(path))
        case .ipPort: return .ipPort(try wire.slReadIPPort(path))
        case .fixed(let count): return .bytes(try wire.slReadFixed(count, path))
        case .variable(let width): return .bytes(try wire.slReadVariable(width, path))
        }
    }

    private static func write(_ value: SLFieldValue, as type: SLFieldType, into wire: inout ByteBuffer) -> Bool {
        switch (type, value) {
        case (.u8, .u8(let v)): wire.slWriteU8(v)
        case (.u16, .u16(let v)): wire.slWriteU16(v)
        case (.u32, .u32(let v)): wire.slWriteU32(v)
        case (.u64, .u64(let v)): wire.slWriteU64(v)
        case (.s8, .s8(let v)): wire.slWriteS8(v)
        case (.s16, .s16(let v)): wire.slWriteS16(v)
        case (.s32, .s32(let v)): wire.slWriteS32(v)
        case (.s64, .s64(let v)): wire.slWriteS64(v)
        case (.f32, .f32(let v)): wire.slWriteF32(v)
        case (.f64, .f64(let v)): wire.slWriteF64(v)
        case (.vector3, .vector3(let v)): wire.slWriteVector3(v)
        case (.vector3d, .vector3d(let v)): wire.slWriteVector3d(v)
        case (.vector4, .vector4(let v)): wire.slWriteVector4(v)
        case (.quaternion, .quaternion(let v)): wire.slWriteQuaternion(v)
        case (.uuid, .uuid(let v)): wire.slWriteUUID(v)
        case (.bool, .bool(let v)): wire.slWriteBool(v)
        case (.ipAddress, .ipAddress(let v)): wire.slWriteIPAddress(v)
        case (.ipPort, .ipPort(let v)): wire.slWriteIPPort(v)
        case (.fixed(let count), .bytes(let v)): wire.slWriteFixed(v, count)
        case (.variable(let width), .bytes(let v)): wire.slWriteVariable(v, width)
        default: return false
        }
        return true
    }

    private static func llsd(_ value: SLFieldValue, as type: SLFieldType) -> LLSD {
        switch (type, value) {
        case (_, .u8(let v)): SLLLSD.u8(v)
        case (.ipPort, .ipPort(let v)): SLLLSD.ipPort(v)
        case (_, .u16(let v)): SLLLSD.u16(v)
        case (_, .u32(let v)): SLLLSD.u32(v)
        case (_, .u64(let v)): SLLLSD.u64(v)
        case (_, .s8(let v)): SLLLSD.s8(v)
        case (_, .s16(let v)): SLLLSD.s16(v)
        case (_, .s32(let v)): SLLLSD.s32(v)
        case (_, .s64(let v)): SLLLSD.s64(v)
        case (_, .f32(let v)): SLLLSD.f32(v)
        case (_, .f64(let v)): SLLLSD.f64(v)
        case (_, .vector3(let v)): SLLLSD.vector3(v)
        case (_, .vector3d(let v)): SLLLSD.vector3d(v)
        case (_, .vector4(let v)): SLLLSD.vector4(v)
        case (_, .quaternion(let v)): SLLLSD.quaternion(v)
        case (_, .uuid(let v)): SLLLSD.uuid(v)
        case (_, .bool(let v)): SLLLSD.bool(v)
        case (_, .ipAddress(let v)): SLLLSD.ipAddress(v)
        case (_, .ipPort(let v)): SLLLSD.ipPort(v)
        case (.fixed(let count), .bytes(let v)): SLLLSD.fixed(v, count)
        case (_, .bytes(let v)): SLLLSD.variable(v)
        }
    }
}

extension SLBlockSpec {
    var multipleCount: Int? {
        if case .multiple(let count) = quantity { return count }
        return nil
    }
}
