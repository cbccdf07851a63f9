import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `oneiric mcp` 0.33.3 (FastMCP, streamable HTTP) running in the Python 3.14 sandbox
/// on a free loopback port with its own HOME (where it keeps its records). ``stop()`` ends it
/// (SIGTERM, SIGKILL after 5 s), ``kill()`` kills it at once, ``restart()`` starts it again on
/// the same port and HOME.
public final class OneiricMCPPeer: @unchecked Sendable {
    public let port: Int
    public let home: String
    public let jsonResponse: Bool
    private var process: Process?
    private var outputPath: String

    public var url: String { "http://127.0.0.1:\(port)/mcp" }

    private init(port: Int, home: String, jsonResponse: Bool) {
        self.port = port
        self.home = home
        self.jsonResponse = jsonResponse
        outputPath = home + "/oneiric-mcp.log"
    }

    deinit { stop() }

    /// Builds the sandbox if needed and starts a server; waits until `initialize` answers.
    public static func start(home: String? = nil, jsonResponse: Bool = true) async throws -> OneiricMCPPeer {
        try await Py314Sandbox.shared.ensureBuilt()
        let home = home ?? NSTemporaryDirectory() + "oneiric-home-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let peer = OneiricMCPPeer(port: try freePort(), home: home, jsonResponse: jsonResponse)
        try await peer.launch()
        return peer
    }

    /// Starts a server, runs `body`, and stops the server whether `body` returns or throws.
    public static func with<Result>(jsonResponse: Bool = true, _ body: (OneiricMCPPeer) async throws -> Result) async throws -> Result {
        let peer = try await start(jsonResponse: jsonResponse)
        defer {
            peer.stop()
            try? FileManager.default.removeItem(atPath: peer.home)
        }
        return try await body(peer)
    }

    /// Starts the server again on the same port with the same HOME (its records survive).
    public func restart() async throws {
        stop()
        try await launch()
    }

    /// SIGTERM, then SIGKILL after 5 s; waits for the exit. Safe to call twice.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGKILL now: the server dies without a goodbye.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Calls a tool as a third party would (its own session), returning the structured result.
    public func callTool(_ name: String, _ arguments: [String: Any]) async throws -> [String: Any] {
        try await client.callTool(name, arguments)
    }

    private var client: FastMCPTestClient { FastMCPTestClient(url: url, server: "oneiric mcp") }

    private func launch() async throws {
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        guard let output = FileHandle(forWritingAtPath: outputPath) else { throw FixtureError("cannot write \(outputPath)") }
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Py314Sandbox.script, "run", "oneiric-mcp", "--port", "\(port)", "--home", home]
        var environment = ProcessInfo.processInfo.environment
        environment["FASTMCP_JSON_RESPONSE"] = jsonResponse ? "true" : "false"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard process.isRunning else {
                throw FixtureError("oneiric mcp exited (\(process.terminationStatus)) before it was ready: \(tail())")
            }
            if (try? await client.initialize()) != nil { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        stop()
        throw FixtureError("oneiric mcp on port \(port) was not ready within 60 s: \(tail())")
    }

    private func tail() -> String {
        String(((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").suffix(3_000))
    }

    /// A loopback port the kernel had free a moment ago.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FixtureError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw FixtureError("cannot find a free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
