import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `session-buddy` 0.36.0 (FastMCP 4.2.3, MCP streamable HTTP) running in the Python
/// 3.14 sandbox on a free loopback port with its own HOME (its DuckDB lives there), started by
/// `sandbox.sh run session-buddy`. SSE replies by default, plain JSON with `jsonResponse`.
/// ``stop()`` and ``kill()`` end it with SIGKILL (it sits out SIGTERM for up to 30 s) and wait
/// until the port is closed; ``restart()`` starts it again on the same port and HOME.
public final class SessionBuddyPeer: @unchecked Sendable {
    public let port: Int
    public let jsonResponse: Bool
    /// The server's HOME; removed with the last reference to the peer.
    public let folder: TemporaryFolder
    public var home: String { folder.path }
    private var process: Process?
    private let outputPath: String

    /// The MCP endpoint.
    public var url: String { "http://127.0.0.1:\(port)/mcp" }

    private init(port: Int, folder: TemporaryFolder, jsonResponse: Bool) {
        self.port = port
        self.folder = folder
        self.jsonResponse = jsonResponse
        outputPath = folder.file("session-buddy.log")
    }

    deinit { stop() }

    /// Builds the sandbox if needed and starts a server; returns once `initialize` answers.
    public static func start(jsonResponse: Bool = false) async throws -> SessionBuddyPeer {
        try await Py314Sandbox.shared.ensureBuilt()
        let peer = SessionBuddyPeer(port: try LoopbackSocket.closedPort(), folder: try TemporaryFolder("session-buddy-home"),
                                    jsonResponse: jsonResponse)
        do {
            try await peer.launch()
        } catch {
            peer.stop()
            peer.folder.remove()
            throw error
        }
        return peer
    }

    /// Starts a server, runs `body`, then stops the server and removes its HOME, whether `body`
    /// returned or threw.
    public static func with<Result>(jsonResponse: Bool = false, _ body: (SessionBuddyPeer) async throws -> Result) async throws -> Result {
        try await withStopping(try await start(jsonResponse: jsonResponse), stop: { peer in
            peer.stop()
            peer.folder.remove()
        }, body)
    }

    /// Starts the server again on the same port with the same HOME (its reflections survive).
    public func restart() async throws {
        stop()
        try await launch()
    }

    /// Ends the server (SIGKILL) and waits until its port no longer accepts connections. Safe to call twice.
    public func stop() { kill() }

    /// SIGKILL now: the server dies without a goodbye; returns once the port is closed.
    public func kill() {
        guard let process else { return }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
        // The sandbox's `unshare --kill-child` kills the server when the script's process dies,
        // a moment after: wait for its port to close so a restart never meets the old one.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try? LoopbackSocket(port: port, receiveTimeout: 1, what: "session-buddy")) != nil {
            usleep(50_000)
        }
    }

    /// Calls a tool as a third party would (its own session) and returns `structuredContent`
    /// (session-buddy's memory tools put their text in its `result`).
    public func callTool(_ name: String, _ arguments: [String: Any] = [:]) async throws -> [String: Any] {
        try await client.callTool(name, arguments)
    }

    private var client: FastMCPTestClient { FastMCPTestClient(url: url, server: "session-buddy") }

    /// The last lines the server wrote (for failure messages).
    public func tail() -> String {
        String(((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").suffix(3_000))
    }


    private func launch() async throws {
        if !FileManager.default.fileExists(atPath: outputPath) {
            guard FileManager.default.createFile(atPath: outputPath, contents: nil) else { throw FixtureError("cannot create \(outputPath)") }
        }
        guard let output = FileHandle(forWritingAtPath: outputPath) else { throw FixtureError("cannot write \(outputPath)") }
        defer { try? output.close() }
        try output.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Py314Sandbox.script, "run", "session-buddy", "--port", "\(port)", "--home", home]
        var environment = ProcessInfo.processInfo.environment
        environment["FASTMCP_JSON_RESPONSE"] = jsonResponse ? "true" : "false"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            guard process.isRunning else {
                throw FixtureError("session-buddy exited (\(process.terminationStatus)) before it was ready: \(tail())")
            }
            if (try? await client.initialize()) != nil {
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        stop()
        throw FixtureError("session-buddy on port \(port) was not ready within 90 s: \(tail())")
    }
}
