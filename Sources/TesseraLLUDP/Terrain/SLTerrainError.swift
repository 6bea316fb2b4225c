/// Why LayerData blobs could not be read as a region's land.
public enum SLTerrainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The blob ended inside `what`.
    case truncated(blob: Int, what: String)
    /// The group header is not that of 16×16 land patches at stride 264.
    case unexpectedGroupHeader(blob: Int, stride: UInt16, patchSize: UInt8, layerType: UInt8)
    /// A patch id names a patch outside the 16×16 patches of a region.
    case patchOutsideRegion(blob: Int, x: Int, y: Int)
    /// A patch's lowest height is not a finite number.
    case badOffset(blob: Int, x: Int, y: Int)
    /// A patch came a second time.
    case duplicatePatch(blob: Int, x: Int, y: Int)
    /// Bytes, or non-zero padding bits, after END_OF_PATCHES.
    case trailingData(blob: Int)
    /// Some patches never came.
    case missingPatches(count: Int)
    /// A patch decodes to heights that are not finite numbers.
    case heightsNotFinite(x: Int, y: Int)

    public var description: String {
        switch self {
        case let .truncated(blob, what): "LayerData blob \(blob) ends inside the \(what)"
        case let .unexpectedGroupHeader(blob, stride, patchSize, layerType):
            "LayerData blob \(blob) has group header stride \(stride), patch size \(patchSize), layer type \(layerType) "
                + "(expected \(SLTerrainPatches.stride), \(SLTerrainPatches.patchSize), \(SLTerrainPatches.landLayerType))"
        case let .patchOutsideRegion(blob, x, y): "LayerData blob \(blob) names patch (\(x), \(y)), outside the 16×16 patches"
        case let .badOffset(blob, x, y): "LayerData blob \(blob): patch (\(x), \(y)) has a height offset that is not finite"
        case let .duplicatePatch(blob, x, y): "LayerData blob \(blob) sends patch (\(x), \(y)) a second time"
        case let .trailingData(blob): "LayerData blob \(blob) has data after END_OF_PATCHES"
        case let .missingPatches(count): "LayerData blobs leave \(count) of the 256 patches out"
        case let .heightsNotFinite(x, y): "LayerData patch (\(x), \(y)) decodes to heights that are not finite"
        }
    }
}
