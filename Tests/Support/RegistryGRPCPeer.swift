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

    public var address: String { "127.0.0.1:\(port)" }

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    deinit { stop() }

    /// Starts the server with `options` (`--token T`, `--tls-cert F --tls-key F`, `--client-ca F`,
    /// `--jwt-secret-env VAR --jwt-project P`, `--package P`, `--seed FILE`, `--delay-ms N`).
    public static func start(_ options: [String], environment extra: [String: String] = [:]) async throws -> RegistryGRPCPeer {
        let python = try await PeerVenv.shared.pythonPath()
        let root = FixturePlugins.repositoryRoot
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root + "/Tests/Peers/registry_grpc_server.py",
                             "--proto", root + "/Plugins/OneiricWire/Proto/adapter_registry.proto", "--port", "0"] + options
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let stdout = Pipe()
        let errorsPath = NSTemporaryDirectory() + "registry-peer-\(UUID().uuidString.prefix(8)).stderr"
        guard FileManager.default.createFile(atPath: errorsPath, contents: nil),
              let errors = FileHandle(forWritingAtPath: errorsPath) else { throw FixtureError("cannot create \(errorsPath)") }
        defer {
            try? errors.close()
            try? FileManager.default.removeItem(atPath: errorsPath)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = errors
        try process.run()
        let line = await ChildOutput.firstLine(of: stdout.fileHandleForReading, process: process, timeout: 60)
        guard let line, line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw FixtureError("registry_grpc_server.py did not print READY <port> (got \(line ?? "nothing")): \((try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "")")
        }
        return RegistryGRPCPeer(port: port, process: process)
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
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
