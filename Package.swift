// swift-tools-version: 6.1
import PackageDescription

// Targets depend downward only: world model and wire formats at the bottom,
// the roles (region, client manager, bots) above them, the CLI on top.
let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tessera", targets: ["tessera"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        // Coordinates, quantization, entity kinds, chat ranges: pure values, no I/O.
        .target(name: "TesseraWorld"),
        // Little-endian field codecs and decoding errors shared by both protocols.
        .target(
            name: "TesseraCodec",
            dependencies: [
                "TesseraWorld",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The calls the grid services answer (inventory, assets, sessions, registry, scenes)
        // and their answers: values and codecs, carried by both protocols.
        .target(
            name: "TesseraGridProtocol",
            dependencies: [
                "TesseraWorld", "TesseraCodec",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Bullet (libbullet-dev), reached only through BulletShim's C API.
        .systemLibrary(name: "CBullet", pkgConfig: "bullet", providers: [.apt(["libbullet-dev"])]),
        .target(name: "BulletShim", dependencies: ["CBullet"]),
        // Bullet worlds for the physics service.
        .target(name: "TesseraPhysics", dependencies: ["TesseraWorld", "BulletShim"]),
        // The physics service (`tessera physics`): one Bullet world per attached region.
        .target(
            name: "TesseraPhysicsService",
            dependencies: [
                "TesseraWorld", "TesseraWire", "TesseraPhysics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The script engine: the scripts of many regions, run in budgeted slices (docs/scripts.md).
        // Pure: no I/O, no clock of its own.
        .target(name: "TesseraScripts", dependencies: ["TesseraWorld", "TesseraWire", "TesseraGridProtocol", "TesseraLSL"]),
        // The script service (`tessera scripts`): one engine per attached region link.
        .target(
            name: "TesseraScriptService",
            dependencies: [
                "TesseraWorld", "TesseraWire", "TesseraScripts", "TesseraLSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The hand-off protocol's three participants as pure state machines (docs/handoff.md).
        .target(name: "TesseraHandoff", dependencies: ["TesseraWorld"]),
        // Internal TCP protocol between roles (Tessera wire), and the grid services' caller.
        .target(
            name: "TesseraWire",
            dependencies: [
                "TesseraWorld", "TesseraCodec", "TesseraGridProtocol", "TesseraHandoff", "TesseraTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The binary WebSocket protocol spoken by clients (docs/client-protocol.md).
        .target(
            name: "TesseraClientProtocol",
            dependencies: [
                "TesseraWorld", "TesseraCodec", "TesseraGridProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The Second Life protocol at the edge (docs/sl-protocol.md): the message template's
        // parser, the codecs generated from it (Generated/, written by `slcodegen`), the packet
        // layer and circuits, LLSD and XML-RPC, terrain patches. Pure: no sockets, no clock.
        .target(
            name: "TesseraLLUDP",
            dependencies: [
                "TesseraWorld",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Writes Sources/TesseraLLUDP/Generated from ../shared/data/sl/message_template.msg.
        .executableTarget(name: "slcodegen", dependencies: ["TesseraLLUDP"]),
        // The grid's certificate authority and its nodes' certificates (docs/security.md): pure,
        // no sockets.
        .target(
            name: "TesseraTLS",
            dependencies: [
                "TesseraConfig",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Typed grid configuration (grid-config/*.toml).
        .target(
            name: "TesseraConfig",
            dependencies: [
                "TesseraWorld",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // Prometheus metrics: the process-wide registry behind swift-metrics, its text
        // exposition and the `/metrics` HTTP server every node runs (docs/metrics.md).
        .target(
            name: "TesseraMetrics",
            dependencies: [
                "TesseraConfig",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // PostgreSQL: migrations, the embedded cluster, and every transactional store
        // (accounts, sessions, region registry, inventory, assets, scene persistence).
        .target(
            name: "TesseraStorage",
            dependencies: [
                "TesseraWorld",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
        ),
        // Grid services (`tessera grid`): the stores behind a Tessera wire listener.
        .target(
            name: "TesseraGrid",
            dependencies: [
                "TesseraWorld", "TesseraWire", "TesseraGridProtocol", "TesseraStorage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The admin REST console served by the grid services (docs/console.md).
        .target(
            name: "TesseraConsole",
            dependencies: [
                "TesseraStorage", "TesseraWire", "TesseraWorld", "TesseraMetrics", "TesseraConfig", "TesseraTLS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/dashboard")]
        ),
        // Region node: the authoritative scene and its frame loop.
        .target(
            name: "TesseraRegion",
            dependencies: [
                "TesseraWorld", "TesseraWire", "TesseraConfig", "TesseraGridProtocol", "TesseraHandoff",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Client manager: the untrusted edge, routing and per-client streaming.
        .target(
            name: "TesseraClientManager",
            dependencies: [
                "TesseraWorld", "TesseraWire", "TesseraClientProtocol", "TesseraConfig", "TesseraGridProtocol", "TesseraHandoff", "TesseraLLUDP",
                "TesseraTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // The web viewer's files (HTML, CSS, JavaScript modules), served at /viewer/.
            resources: [.copy("Resources/viewer")]
        ),
        // Load generation and measurement through a client manager.
        .target(
            name: "TesseraBots",
            dependencies: [
                "TesseraWorld", "TesseraClientProtocol", "TesseraGridProtocol", "TesseraLLUDP", "TesseraTLS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        // Benchmarks behind `tessera bench`: pure costs, each printed beside its baseline.
        .target(
            name: "TesseraBench",
            dependencies: [
                "TesseraWorld", "TesseraWire", "TesseraRegion", "TesseraClientManager", "TesseraClientProtocol", "TesseraStorage",
                "TesseraPhysics", "TesseraPhysicsService", "TesseraLSL", "TesseraScripts", "TesseraScriptService", "TesseraGridProtocol",
                "TesseraTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // LSL, the scripting language: front end, bytecode compiler, VM, library (docs/lsl.md).
        // Pure: no I/O, no clock; swift-crypto for the hash built-ins.
        .target(name: "TesseraLSL", dependencies: ["TesseraWorld", .product(name: "Crypto", package: "swift-crypto")]),
        // Composition root of `tessera up`: every role of a config in one process.
        .target(
            name: "TesseraLocalGrid",
            dependencies: [
                "TesseraConfig", "TesseraRegion", "TesseraClientManager", "TesseraBots", "TesseraStorage", "TesseraGrid",
                "TesseraPhysicsService", "TesseraConsole", "TesseraGridProtocol", "TesseraClientProtocol", "TesseraWire", "TesseraMetrics",
                "TesseraScriptService", "TesseraScripts", "TesseraLSL", "TesseraTLS",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What tests share (docs/architecture.md, "Testing"): a manual frame clock, the region
        // harness, in-memory links, the deterministic grid stepped frame by frame, the
        // in-process scenario grid on loopback sockets, throwaway databases, and a WebDriver client
        // for the browser tests (headless Chromium through Debian's chromedriver). Tests only.
        .target(
            name: "TesseraTesting",
            dependencies: [
                "TesseraWorld", "TesseraWire", "TesseraHandoff", "TesseraRegion", "TesseraClientManager", "TesseraClientProtocol",
                "TesseraConfig", "TesseraGrid", "TesseraGridProtocol", "TesseraStorage", "TesseraPhysicsService", "TesseraBots",
                "TesseraLocalGrid", "TesseraScriptService", "TesseraScripts", "TesseraTLS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "tessera",
            dependencies: [
                "TesseraConfig", "TesseraRegion", "TesseraClientManager", "TesseraBots", "TesseraLocalGrid", "TesseraBench",
                "TesseraStorage", "TesseraGrid", "TesseraGridProtocol", "TesseraWire", "TesseraClientProtocol", "TesseraPhysicsService",
                "TesseraConsole", "TesseraMetrics", "TesseraLSL", "TesseraScriptService", "TesseraScripts", "TesseraTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TesseraWorldTests", dependencies: ["TesseraWorld"]),
        .testTarget(name: "TesseraLSLTests", dependencies: ["TesseraLSL"], resources: [.copy("Conformance")]),
        .testTarget(
            name: "TesseraScriptsTests",
            dependencies: [
                "TesseraScripts", "TesseraScriptService", "TesseraLSL", "TesseraWire", "TesseraWorld", "TesseraGridProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "TesseraLLUDPTests",
            dependencies: ["TesseraLLUDP", "TesseraWorld", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(name: "TesseraHandoffTests", dependencies: ["TesseraHandoff", "TesseraWorld"]),
        .testTarget(name: "TesseraPhysicsTests", dependencies: ["TesseraPhysics", "TesseraPhysicsService", "TesseraWire", "TesseraWorld"]),
        .testTarget(
            name: "TesseraWireTests",
            dependencies: [
                "TesseraWire", "TesseraCodec", "TesseraWorld", "TesseraTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TesseraClientProtocolTests", dependencies: ["TesseraClientProtocol", "TesseraCodec", "TesseraWorld"]),
        .testTarget(
            name: "TesseraGridProtocolTests",
            dependencies: [
                "TesseraGridProtocol", "TesseraCodec", "TesseraWorld",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TesseraConfigTests", dependencies: ["TesseraConfig"]),
        .testTarget(
            name: "TesseraTLSTests",
            dependencies: ["TesseraTLS", .product(name: "X509", package: "swift-certificates"), .product(name: "NIOSSL", package: "swift-nio-ssl")]
        ),
        .testTarget(
            name: "TesseraStorageTests",
            dependencies: [
                "TesseraStorage", "TesseraWorld", "TesseraTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "TesseraMetricsTests",
            dependencies: [
                "TesseraMetrics", "TesseraRegion", "TesseraConfig", "TesseraWire", "TesseraWorld",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TesseraRegionTests", dependencies: ["TesseraRegion", "TesseraWire", "TesseraWorld", "TesseraGridProtocol", "TesseraTesting"]),
        .testTarget(
            name: "TesseraClientManagerTests",
            dependencies: [
                "TesseraClientManager", "TesseraClientProtocol", "TesseraWire", "TesseraWorld", "TesseraLLUDP",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Whole-grid scenarios on the deterministic harness: no sockets, no sleeps.
        .testTarget(
            name: "TesseraScenarioTests",
            dependencies: [
                "TesseraTesting", "TesseraRegion", "TesseraClientManager", "TesseraClientProtocol", "TesseraWire", "TesseraWorld",
                "TesseraBots",
            ]
        ),
        .testTarget(
            name: "TesseraIntegrationTests",
            dependencies: [
                "TesseraLocalGrid", "TesseraRegion", "TesseraClientManager", "TesseraBots",
                "TesseraClientProtocol", "TesseraConfig", "TesseraWorld", "TesseraGrid", "TesseraGridProtocol",
                "TesseraStorage", "TesseraWire", "TesseraPhysicsService", "TesseraConsole", "TesseraTesting", "TesseraHandoff",
                "TesseraLSL", "TesseraScripts", "TesseraLLUDP", "TesseraTLS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
