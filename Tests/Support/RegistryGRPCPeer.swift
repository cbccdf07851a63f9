import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An independent Python grpcio `AdapterRegistry` (`Tests/Peers/registry_grpc_server.py`),
/// generated from the project's proto at start-up: the other side the Oneiric client plugin's
/// gRPC transport is tested against. Stopped by ``stop()`` or at the end of ``with(_:_:)``.
public final class RegistryGRPCPeer: @unchecked Sendable {
    public let port: Int
    private let process: Process
    /// Held open while the peer runs (the server does not read it).
    private let stdinPipe: Pipe

    public var address: String { "127.0.0.1:\(port)" }

    private init(port: Int, process: Process, stdinPipe: Pipe) {
        self.port = port
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// Starts the server with `options` (`--token T`, `--tls-cert F --tls-key F`, `--client-ca F`,
    /// `--jwt-secret-env VAR --jwt-project P`, `--package P`, `--seed FILE`, `--delay-ms N`).
    public static func start(_ options: [String], environment extra: [String: String] = [:]) async throws -> RegistryGRPCPeer {
        let proto = FixturePlugins.repositoryRoot + "/Plugins/OneiricWire/Proto/adapter_registry.proto"
        let launch = try await PythonPeerLaunch.start("registry_grpc_server.py", ["--proto", proto, "--port", "0"] + options,
                                                      environment: extra, expecting: "READY <port>", timeout: 60) { line in
            line.hasPrefix("READY ") ? Int(line.dropFirst(6)) : nil
        }
        return RegistryGRPCPeer(port: launch.announcement, process: launch.process, stdinPipe: launch.stdinPipe)
    }

    /// Starts a server, runs `body`, stops the server whether `body` returns or throws.
    public static func with<Result>(_ options: [String], environment: [String: String] = [:],
                                    _ body: (RegistryGRPCPeer) async throws -> Result) async throws -> Result {
        let peer = try await start(options, environment: environment)
        defer { peer.stop() }
        return try await body(peer)
    }

    /// SIGTERM, SIGKILL after 3 s. Safe to call twice.
    public func stop() {
        defer { try? stdinPipe.fileHandleForWriting.close() }
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
