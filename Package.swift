// swift-tools-version:6.1
// caphost — a Swift plugin host: C-ABI capability plugins, scored resolution, hot-swap.
import PackageDescription

/// Swift plugins are never dlclose()d (REFERENCE §6): link them `-z nodelete` and
/// `-Bsymbolic` so each binds to its own copy of any package it embeds.
let swiftPluginLinkerFlags: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete", "-Xlinker", "-Bsymbolic"]),
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        // The contract: one C header (+ a translation unit that checks its layout).
        .target(
            name: "CapPluginABI",
            path: "PluginABI",
            exclude: ["Kit", "README.md"],
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
        // The `caphost` command line.
        .executableTarget(
            name: "caphost",
            dependencies: [
                "CapHostCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Host/CLI"
        ),
        // The child process that probes (and later isolates) plugins.
        .executableTarget(
            name: "caphost-runner",
            dependencies: ["CapHostCore"],
            path: "Host/Runner"
        ),
        // Benchmark: prints the SPEC §7 figures as JSON.
        .executableTarget(
            name: "caphost-bench",
            dependencies: [
                "CapHostCore", "CCapHostSupport", "CapPluginABI",
                .product(name: "Logging", package: "swift-log"),
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
        .testTarget(
            name: "CapHostCoreTests",
            dependencies: [
                "CapHostCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/CapHostCoreTests"
        ),
        .testTarget(
            name: "PluginKitTests",
            dependencies: ["PluginKit", "CapPluginABI"],
            path: "Tests/PluginKitTests"
        ),
    ]
)
