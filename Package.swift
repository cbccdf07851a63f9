// swift-tools-version:6.1
// caphost — a Swift plugin host: C-ABI capability plugins, scored resolution, hot-swap.
import PackageDescription

/// Swift plugins are never dlclose()d (REFERENCE §6): link them `-z nodelete` and
/// `-Bsymbolic` so each binds to its own copy of any package it embeds, and with
/// `PluginABI/plugin-exports.map` so they export only `cap_plugin_entry_v1` (dlopen then looks
/// up none of their own symbols). Release builds drop the symbol tables and debug info: the
/// host reads, hashes and copies every byte of a plugin at its first load, so size is start-up
/// time (the Oneiric plugin is 46 MB with its symbols, 26 MB without them). Symbolicate a
/// release plugin's crash with the debug build of the same commit.
let swiftPluginLinkerFlags: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete", "-Xlinker", "-Bsymbolic"]),
    .unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/PluginABI/plugin-exports.map"]),
    .unsafeFlags(["-Xlinker", "--strip-all"], .when(configuration: .release)),
]

let package = Package(
    name: "caphost",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "caphost", targets: ["caphost"]),
        .executable(name: "caphost-runner", targets: ["caphost-runner"]),
        .executable(name: "caphost-bench", targets: ["caphost-bench"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        .library(name: "CapHostCore", targets: ["CapHostCore"]),
        // Example Swift plugin (built through the kit).
        .library(name: "EchoSwiftPlugin", type: .dynamic, targets: ["EchoSwiftPlugin"]),
        // Test fixture: a Swift plugin that embeds its own SwiftNIO.
        .library(name: "NIOLoopbackPlugin", type: .dynamic, targets: ["NIOLoopbackPlugin"]),
        // Diagram generator plugin: Mermaid, Excalidraw and SVG from graphs, workflows, slots.
        .library(name: "DiagramPlugin", type: .dynamic, targets: ["DiagramPlugin"]),
        // adapter:notifier:mailgun — sends through Mailgun's HTTP API (async-http-client).
        .library(name: "MailgunPlugin", type: .dynamic, targets: ["MailgunPlugin"]),
        // adapter:notifier:outbox — the local fallback: .eml files in a maildir-style folder.
        .library(name: "OutboxPlugin", type: .dynamic, targets: ["OutboxPlugin"]),
        // adapter:registry:oneiric — the host's client of Oneiric's registry (gRPC or MCP).
        .library(name: "OneiricPlugin", type: .dynamic, targets: ["OneiricPlugin"]),
        // adapter:memory:local — the memory slot's local provider: SQLite FTS5, ranked by bm25.
        .library(name: "LocalMemoryPlugin", type: .dynamic, targets: ["LocalMemoryPlugin"]),
        // service:quality-loop:memory — remembers quality issues and finds the ones that recur.
        .library(name: "QualityLoopPlugin", type: .dynamic, targets: ["QualityLoopPlugin"]),
        // adapter:quality:crackerjack — runs the real crackerjack CLI on a copy of a project.
        .library(name: "CrackerjackPlugin", type: .dynamic, targets: ["CrackerjackPlugin"]),
        // adapter:memory:session-buddy — an MCP streamable-HTTP client of session-buddy.
        .library(name: "SessionBuddyPlugin", type: .dynamic, targets: ["SessionBuddyPlugin"]),
        // adapter:router:unifi — reads UniFi Network controllers and chooses where work should run.
        .library(name: "UniFiPlugin", type: .dynamic, targets: ["UniFiPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
    ],
    targets: [
        // The contract: one C header (+ a translation unit that checks its layout).
        .target(
            name: "CapPluginABI",
            path: "PluginABI",
            exclude: ["Kit", "README.md", "plugin-exports.map"],
            sources: ["abi_layout_check.c"],
            publicHeadersPath: "include"
        ),
        // The Swift kit for plugin authors: a Swift type with async throws methods, no pointers.
        .target(
            name: "PluginKit",
            dependencies: ["CapPluginABI"],
            path: "PluginABI/Kit"
        ),
        // C helpers for the host's hot path (thread stripe, monotonic clock).
        .target(
            name: "CCapHostSupport",
            path: "Host/CSupport",
            publicHeadersPath: "include"
        ),
        // Loading, registry + resolution, lifecycle, watching, invocation. No HTTP here.
        .target(
            name: "CapHostCore",
            dependencies: [
                "CapPluginABI",
                "CCapHostSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Host/Core"
        ),
        // SQLite state (GRDB, WAL): pins, events, score history, per-plugin kv, the durable journal.
        .target(
            name: "CapHostState",
            dependencies: [
                "CapHostCore",
                "CapHostWorkflows",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Host/State"
        ),
        // caphost.yaml (Yams): host settings, per-plugin sections, ${ENV} secret references.
        .target(
            name: "CapHostConfig",
            dependencies: [
                "CapHostCore",
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Host/Config"
        ),
        // Workflows (seed 001's YAML): the file format, references, checks, and the runner.
        .target(
            name: "CapHostWorkflows",
            dependencies: ["CapHostCore", "CapHostConfig"],
            path: "Host/Workflows"
        ),
        // MCP (JSON-RPC 2.0) over any transport: tools from capabilities, host tools, stdio.
        .target(
            name: "CapHostMCP",
            dependencies: [
                "CapHostCore", "CapHostWorkflows", "CapHostConfig",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Host/Server/MCP"
        ),
        // The Oneiric registry's wire format: the AdapterRegistry protobuf messages, method
        // paths under a configurable package, and HS256 bearer JWTs. Shared by the host's
        // registry server and the Oneiric client plugin; it knows neither.
        .target(
            name: "OneiricWire",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Plugins/OneiricWire",
            exclude: ["Proto"]
        ),
        // The seed's gRPC AdapterRegistry, served from the host's own registry.
        .target(
            name: "CapHostGRPC",
            dependencies: [
                "CapHostCore", "OneiricWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Host/Server/GRPC"
        ),
        // The running host: the HTTP admin API (Hummingbird) and metrics in Admin/, and in
        // Runtime/ the composition root: what `caphost serve` builds from core, state, MCP,
        // gRPC and the API, run under one service lifecycle.
        .target(
            name: "CapHostServer",
            dependencies: [
                "CapHostCore", "CapHostState", "CapHostConfig", "CapHostMCP", "CapHostGRPC", "CapHostWorkflows",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Host/Server",
            sources: ["Admin", "Runtime"]
        ),
        // The HTTP client the CLI's client commands use.
        .target(
            name: "CapHostClient",
            dependencies: [
                "CapHostCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Host/Client"
        ),
        // The `caphost` command line.
        .executableTarget(
            name: "caphost",
            dependencies: [
                "CapHostCore", "CapHostServer", "CapHostClient", "CapHostConfig", "CapHostMCP", "CapHostWorkflows",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Host/CLI"
        ),
        // The child process that probes (and later isolates) plugins.
        .executableTarget(
            name: "caphost-runner",
            dependencies: ["CapHostCore", "CCapHostSupport"],
            path: "Host/Runner"
        ),
        // Benchmark: prints the SPEC §7 figures as JSON.
        .executableTarget(
            name: "caphost-bench",
            dependencies: [
                "CapHostCore", "CCapHostSupport", "CapPluginABI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Host/Bench"
        ),
        .target(
            name: "EchoSwiftPlugin",
            dependencies: ["PluginKit"],
            path: "Plugins/Examples/EchoSwift",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        .target(
            name: "NIOLoopbackPlugin",
            dependencies: [
                "PluginKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Fixtures/NIOLoopbackPlugin",
            linkerSettings: swiftPluginLinkerFlags
        ),
        .target(
            name: "DiagramPlugin",
            dependencies: [
                "PluginKit",
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Plugins/Diagram",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        // The notifiers' shared `send` payload: decoding, checks, Mailgun's limits.
        .target(
            name: "NotifierMessage",
            dependencies: ["PluginKit"],
            path: "Plugins/Notifier"
        ),
        .target(
            name: "OutboxPlugin",
            dependencies: [
                "PluginKit", "NotifierMessage",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Plugins/Outbox",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        // `Retry-After` read as a delay (seconds or an HTTP date), for the plugins that honour it.
        .target(
            name: "HTTPRetryAfter",
            path: "Plugins/HTTPRetryAfter"
        ),
        .target(
            name: "MailgunPlugin",
            dependencies: [
                "PluginKit", "NotifierMessage", "HTTPRetryAfter",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Plugins/Mailgun",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        // MCP streamable-HTTP replies (JSON or SSE) read into JSON-RPC messages, for the plugins that speak MCP.
        .target(
            name: "MCPEventStream",
            path: "Plugins/MCPEventStream"
        ),
        .target(
            name: "OneiricPlugin",
            dependencies: [
                "PluginKit", "OneiricWire", "MCPEventStream",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Plugins/Oneiric",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        .target(
            name: "LocalMemoryPlugin",
            dependencies: [
                "PluginKit",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Plugins/LocalMemory",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        .target(
            name: "QualityLoopPlugin",
            dependencies: ["PluginKit"],
            path: "Plugins/QualityLoop",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        // crackerjack's --verbose output read into issues, hooks and messages (the plugin's, and its tests').
        .target(
            name: "CrackerjackOutput",
            path: "Plugins/CrackerjackOutput"
        ),
        .target(
            name: "CrackerjackPlugin",
            dependencies: ["PluginKit", "CrackerjackOutput"],
            path: "Plugins/Crackerjack",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        // session-buddy's formatted answers read into values (the plugin's, and its tests').
        .target(
            name: "SessionBuddyText",
            path: "Plugins/SessionBuddyText"
        ),
        .target(
            name: "SessionBuddyPlugin",
            dependencies: [
                "PluginKit", "SessionBuddyText", "MCPEventStream",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Plugins/SessionBuddy",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        .target(
            name: "UniFiPlugin",
            dependencies: [
                "PluginKit", "HTTPRetryAfter",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Plugins/UniFi",
            exclude: ["README.md"],
            linkerSettings: swiftPluginLinkerFlags
        ),
        // Shared by the test targets: C fixture builds, a host in temporary folders, peers.
        .target(
            name: "CapHostTestSupport",
            dependencies: [
                "CapHostCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "CapHostCoreTests",
            dependencies: [
                "CapHostCore", "CapHostTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/CapHostCoreTests"
        ),
        .testTarget(
            name: "CapHostStateTests",
            dependencies: [
                "CapHostState", "CapHostWorkflows", "CapHostTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/CapHostStateTests"
        ),
        .testTarget(
            name: "CapHostConfigTests",
            dependencies: ["CapHostConfig", "CapHostTestSupport"],
            path: "Tests/CapHostConfigTests"
        ),
        .testTarget(
            name: "CapHostWorkflowsTests",
            dependencies: ["CapHostWorkflows", "CapHostCore", "CapHostTestSupport"],
            path: "Tests/CapHostWorkflowsTests"
        ),
        .testTarget(
            name: "CapHostMCPTests",
            dependencies: ["CapHostMCP", "CapHostTestSupport"],
            path: "Tests/CapHostMCPTests"
        ),
        .testTarget(
            name: "CapHostGRPCTests",
            dependencies: [
                "CapHostGRPC", "CapHostTestSupport", "OneiricWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/CapHostGRPCTests"
        ),
        .testTarget(
            name: "CapHostServerTests",
            dependencies: [
                "CapHostServer", "CapHostClient", "CapHostTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CapHostServerTests"
        ),
        // The `caphost` command line, run as the built executable.
        .testTarget(
            name: "CapHostCLITests",
            dependencies: ["CapHostCore", "CapHostClient", "CapHostTestSupport"],
            path: "Tests/CapHostCLITests"
        ),
        // The client's endpoint discovery and event-stream parser.
        .testTarget(
            name: "CapHostClientTests",
            dependencies: ["CapHostClient", "CapHostTestSupport"],
            path: "Tests/CapHostClientTests"
        ),
        // Attacks on a real `caphost serve` over loopback: token bypasses, browser-borne
        // requests, hostile plugin files and payloads, exhaustion, shutdown under a hung call.
        .testTarget(
            name: "CapHostSecurityTests",
            dependencies: ["CapHostTestSupport"],
            path: "Tests/CapHostSecurityTests"
        ),
        .testTarget(
            name: "DiagramPluginTests",
            dependencies: ["CapHostCore", "CapHostTestSupport"],
            path: "Tests/DiagramPluginTests"
        ),
        .testTarget(
            name: "NotifierPluginTests",
            dependencies: [
                "CapHostCore", "CapHostState", "CapHostTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/NotifierPluginTests"
        ),
        .testTarget(
            name: "MailgunPluginTests",
            dependencies: [
                "CapHostCore", "CapHostState", "CapHostServer", "CapHostTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/MailgunPluginTests"
        ),
        .testTarget(
            name: "OneiricPluginTests",
            dependencies: [
                "CapHostCore", "CapHostGRPC", "CapHostTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/OneiricPluginTests"
        ),
        .testTarget(
            name: "LocalMemoryPluginTests",
            dependencies: ["CapHostCore", "CapHostTestSupport"],
            path: "Tests/LocalMemoryPluginTests"
        ),
        .testTarget(
            name: "QualityLoopPluginTests",
            dependencies: ["CapHostCore", "CapHostTestSupport"],
            path: "Tests/QualityLoopPluginTests"
        ),
        .testTarget(
            name: "CrackerjackPluginTests",
            dependencies: [
                "CapHostCore", "CapHostServer", "CapHostTestSupport", "CrackerjackOutput",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CrackerjackPluginTests",
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SessionBuddyPluginTests",
            dependencies: [
                "CapHostCore", "CapHostTestSupport", "SessionBuddyText",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SessionBuddyPluginTests"
        ),
        .testTarget(
            name: "UniFiPluginTests",
            dependencies: [
                "CapHostCore", "CapHostTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/UniFiPluginTests"
        ),
        .testTarget(
            name: "OneiricWireTests",
            dependencies: ["OneiricWire"],
            path: "Tests/OneiricWireTests"
        ),
        .testTarget(
            name: "PluginKitTests",
            dependencies: ["PluginKit", "CapPluginABI"],
            path: "Tests/PluginKitTests"
        ),
        // Fuzzing (issue 17): libFuzzer targets over the host's parsers; see Tests/Fuzz/README.md.
        // The targets themselves, shared by the fuzzer and the replay; they reach the parsers
        // through `package` declarations.
        .target(
            name: "CapHostFuzzTargets",
            dependencies: [
                "CapHostCore", "CapHostConfig", "CapHostWorkflows", "CapHostMCP", "CapHostServer", "CapPluginABI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/Fuzz/Targets"
        ),
        // `caphost-fuzz`: libFuzzer's program when Tests/Fuzz/run.sh builds it (-sanitize=fuzzer
        // -DCAPHOST_LIBFUZZER); in a plain build, a replay of saved inputs.
        .executableTarget(
            name: "caphost-fuzz",
            dependencies: ["CapHostFuzzTargets"],
            path: "Tests/Fuzz/Driver"
        ),
        // Replays Tests/Fuzz/Corpus and Tests/Fuzz/Regressions through every target.
        .testTarget(
            name: "CapHostFuzzTests",
            dependencies: ["CapHostFuzzTargets", "CapHostTestSupport"],
            path: "Tests/Fuzz/Replay"
        ),
    ]
)
