import TesseraWire

extension Region {
    /// A service's link is up: its exchange attaches, and its next frame is a snapshot.
    mutating func serviceAttached(_ service: ServiceKind) {
        switch service {
        case .physics: physicsAttached()
        case .scripts: scriptsAttached()
        }
    }

    /// A service's link went down: the region goes on without it.
    mutating func serviceLost(_ service: ServiceKind) {
        switch service {
        case .physics: physicsLost()
        case .scripts: scriptsLost()
        }
    }
}
