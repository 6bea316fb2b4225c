import Foundation
import Hummingbird
import HummingbirdAuth
import NIOCore
import TesseraStorage

/// What the console knows of a request: who sent it (an admin token's principal, once
/// authenticated) and from where (failed attempts are limited per address).
public struct ConsoleContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: AdminPrincipal?
    public let remoteAddress: String

    /// The largest body a JSON route reads (asset uploads read theirs, up to 1 MiB, themselves).
    public var maxUploadSize: Int { Self.maxBodyBytes }
    public static let maxBodyBytes = 64 * 1024

    /// Sorted keys and unescaped slashes: stable, readable JSON.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
