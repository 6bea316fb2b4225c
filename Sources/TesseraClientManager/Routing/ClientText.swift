/// Text that reaches clients (error messages and inventory statuses passed on from regions
/// and the grid services) in plain words and numbers: a vector interpolated into a message
/// prints as Swift's debug form, `SIMD3<Float>(256.0, 12.5, 21.0)`, which clients should not
/// have to read. The type name goes, the numbers stay: `(256.0, 12.5, 21.0)`.
enum ClientText {
    private nonisolated(unsafe) static let vectorType = try! Regex("SIMD[2348]<[A-Za-z0-9]+>")

    static func plain(_ text: String) -> String {
        guard text.contains("SIMD") else { return text }
        return text.replacing(vectorType, with: "")
    }
}
