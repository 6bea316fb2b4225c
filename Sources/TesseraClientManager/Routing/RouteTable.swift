import Synchronization
import TesseraWorld

/// Which regions are reachable now, by handle and by name.
public final class RouteTable: Sendable {
    private let routes = Mutex([RegionHandle: RegionRoute]())

    public init() {}

    func add(_ route: RegionRoute) {
        routes.withLock { $0[route.handle] = route }
    }

    func remove(_ route: RegionRoute) {
        routes.withLock { routes in
            if routes[route.handle] === route { routes[route.handle] = nil }
        }
    }

    public func route(_ handle: RegionHandle) -> RegionRoute? {
        routes.withLock { $0[handle] }
    }

    public func route(named name: String) -> RegionRoute? {
        routes.withLock { $0.values.first { $0.descriptor.name == name } }
    }

    public var all: [RegionRoute] { routes.withLock { Array($0.values) } }
}
