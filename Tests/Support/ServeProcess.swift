import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A real `caphost serve` process over a plugins folder and a state folder,
/// found through the `server.json` it writes. Tests end it with `stop()` or
/// `kill()`; `deinit` kills it if a test forgot.
public final class ServeProcess: @unchecked Sendable {
    public let process = Process()
    public let stateDirectory: String
    public let output: String
    public private(set) var baseURL = ""
    public private(set) var token = ""

    public init(pluginsDirectory: String, stateDirectory: String, arguments: [String] = []) throws {
        self.stateDirectory = stateDirectory
        self.output = stateDirectory + ".serve.log"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        _ = try? log.seekToEnd()
        process.executableURL = URL(fileURLWithPath: FixturePlugins.buildProductsDirectory + "/caphost")
        process.arguments = ["serve", "--plugins-dir", pluginsDirectory, "--state-dir", stateDirectory, "--port", "0", "--grpc-port", "0",
                             "--log-level", "info"] + arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
    }

    /// Starts the process and waits until it answers `/readyz` (at most `timeout`).
    public func start(timeout: Duration = .seconds(30)) async throws {
        try? FileManager.default.removeItem(atPath: stateDirectory + "/server.json")
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw FixtureError("caphost serve exited with \(process.terminationStatus): \(log())") }
            if let data = FileManager.default.contents(atPath: stateDirectory + "/server.json"),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let url = object["url"] as? String,
               let token = try? String(contentsOfFile: stateDirectory + "/api-token", encoding: .utf8) {
                baseURL = url
                self.token = token.trimmingCharacters(in: .whitespacesAndNewlines)
                if (try? await status("/readyz")) == 200 { return }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill()
        throw FixtureError("caphost serve did not become ready within \(timeout): \(log())")
    }

    public func status(_ path: String) async throws -> Int {
        try await request(.GET, path, authorized: false).status
    }

    /// One request with the token (and `Content-Type: application/json` when it has a body and
    /// names no type); a fresh client each time, so a killed server leaves nothing behind.
    public func request(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = [],
                 authorized: Bool = true) async throws -> (status: Int, body: [UInt8]) {
        let request = HTTPClientRequest.admin(baseURL + path, method: method, token: authorized ? token : nil,
                                              headers: headers, body: body)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Array(bytes.readableBytesView))
    }

    /// SIGKILL: no clean shutdown of any kind.
    public func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then waits for the graceful shutdown (SIGKILL after `timeout`). Returns the exit status.
    @discardableResult
    public func stop(timeout: Duration = .seconds(20)) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    public func log() -> String {
        (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    deinit { kill() }
}
