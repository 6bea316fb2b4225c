import TesseraClientProtocol
import TesseraWorld

/// What the routing side hands a client's session between two update ticks.
public enum ClientEvent: Sendable, Hashable {
    /// Entities that came into the avatar's view, in `region` (nil: whatever region the view is in).
    case enter([LocalID], region: RegionHandle? = nil)
    /// Entities that left it or were removed.
    case leave([LocalID], region: RegionHandle? = nil)
    /// A message passed through as is: Welcome, chat, object results, errors, pongs.
    case message(ServerMessage)
}
