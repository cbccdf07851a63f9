import AsyncHTTPClient
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The real `oneiric mcp` 0.33.3, started in the project's Python 3.14 sandbox
/// (`Tests/Peers/py314/sandbox.sh`, built on first use) on a free loopback port
/// with its own HOME, for the oneiric_client figures.
final class OneiricLauncher: @unchecked Sendable {
    let process = Process()
    let port: Int
    let home: String
    let sandbox: String
    let repositoryRoot: String

    var url: String { "http://127.0.0.1:\(port)/mcp" }

    private init(repositoryRoot: String, home: String, port: Int) {
        self.repositoryRoot = repositoryRoot
        self.sandbox = repositoryRoot + "/Tests/Peers/py314/sandbox.sh"
        self.home = home
        self.port = port
    }

    /// Builds the sandbox if needed, starts the server and waits until `initialize` answers.
    static func start(repositoryRoot: String, home: String, timeout: Duration = .seconds(90)) async throws(BenchError) -> OneiricLauncher {
        try BenchWorkspace.makeDirectory(home)
        let launcher = OneiricLauncher(repositoryRoot: repositoryRoot, home: home, port: try freeLoopbackPort())
        let build = try await launcher.runSandbox(["build"], timeout: .seconds(1200))
        guard build.status == 0 else { throw BenchError("\(launcher.sandbox) build failed (exit \(build.status)): \(build.output.suffix(2000))") }
        launcher.process.executableURL = URL(fileURLWithPath: "/bin/bash")
        launcher.process.arguments = [launcher.sandbox, "run", "oneiric-mcp", "--port", "\(launcher.port)", "--home", home]
        launcher.process.standardOutput = FileHandle.nullDevice
        launcher.process.standardError = FileHandle.nullDevice
        launcher.process.standardInput = FileHandle.nullDevice
        do {
            try launcher.process.run()
        } catch {
            throw BenchError("cannot start oneiric mcp through \(launcher.sandbox): \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard launcher.process.isRunning else {
                throw BenchError("oneiric mcp exited with status \(launcher.process.terminationStatus) before it was ready")
            }
            if await launcher.answersInitialize() { return launcher }
            try? await Task.sleep(for: .milliseconds(250))
        }
        launcher.stop()
        throw BenchError("oneiric mcp on port \(launcher.port) did not answer initialize within \(timeout)")
    }

    /// Oneiric's own listing time, from Python in the sandbox: in process and over MCP.
    func pythonTiming(repeat count: Int) async throws(BenchError) -> OneiricPythonTiming {
        let script = repositoryRoot + "/Tests/Peers/oneiric_list_timing.py"
        let run = try await runSandbox(["exec", "--bind", home, "--", "/opt/oneiric/bin/python", script, "--home", home, "--url", url,
                                        "--repeat", "\(count)"], timeout: .seconds(300))
        guard run.status == 0, let line = run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let timing = try? JSONDecoder().decode(OneiricPythonTiming.self, from: Data(line.utf8)) else {
            throw BenchError("oneiric_list_timing.py failed (exit \(run.status)): \(run.output.suffix(2000))")
        }
        return timing
    }

    /// SIGTERM, then SIGKILL after 5 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private func answersInitialize() async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        request.body = .bytes(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"caphost-bench","version":"1"}}}"#))
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) else { return false }
        return response.status == .ok
    }

    private func runSandbox(_ arguments: [String], timeout: Duration) async throws(BenchError) -> (status: Int32, output: String) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/bash")
        child.arguments = [sandbox] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("caphost-bench-sandbox-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        guard let handle = try? FileHandle(forWritingTo: output) else { throw BenchError("cannot write \(output.path)") }
        child.standardOutput = handle
        child.standardError = handle
        child.standardInput = FileHandle.nullDevice
        do {
            try child.run()
        } catch {
            throw BenchError("cannot run \(sandbox): \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while child.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        if child.isRunning {
            child.terminate()
            child.waitUntilExit()
            throw BenchError("\(sandbox) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        try? handle.close()
        return (child.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// A port the kernel had free a moment ago (bound to 0, read, closed).
    private static func freeLoopbackPort() throws(BenchError) -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("cannot find a free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// What `Tests/Peers/oneiric_list_timing.py` prints: Oneiric's own list, in process and over MCP.
struct OneiricPythonTiming: Codable, Sendable {
    let inprocessMedianUs: Double
    let mcpHttpMedianUs: Double
    let count: Int

    enum CodingKeys: String, CodingKey {
        case inprocessMedianUs = "inprocess_median_us", mcpHttpMedianUs = "mcp_http_median_us", count
    }
}
