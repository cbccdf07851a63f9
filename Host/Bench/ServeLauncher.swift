import AsyncHTTPClient
import CCapHostSupport
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Starts the release `caphost serve` built beside the bench on a plugins
/// folder, times it to ready, and reads its resident memory.
final class ServeLauncher: @unchecked Sendable {
    let process = Process()
    let stateDirectory: String
    private(set) var baseURL = ""
    private(set) var token = ""
    /// The gRPC AdapterRegistry's `host:port`, once ready.
    private(set) var grpcAddress = ""
    /// Spawn → first 200 from `/readyz`, in milliseconds.
    private(set) var readyMilliseconds = 0.0

    init(workspace: BenchWorkspace, pluginsDirectory: String, stateDirectory: String) throws(BenchError) {
        let executable = workspace.buildProductsDirectory + "/caphost"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BenchError("\(executable) not found; build it with swift build -c release --product caphost (same scratch path as the bench)")
        }
        self.stateDirectory = stateDirectory
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--plugins-dir", pluginsDirectory, "--state-dir", stateDirectory, "--port", "0", "--grpc-port", "0",
                             "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
    }

    /// Spawns and polls `server.json` then `/readyz` every millisecond.
    func start(timeout: Duration = .seconds(30)) async throws(BenchError) {
        let started = caphost_monotonic_ns()
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start caphost serve: \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw BenchError("caphost serve exited with status \(process.terminationStatus) before it was ready") }
            if baseURL.isEmpty, let data = FileManager.default.contents(atPath: stateDirectory + "/server.json"),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let url = object["url"] as? String,
               let token = try? String(contentsOfFile: stateDirectory + "/api-token", encoding: .utf8) {
                baseURL = url
                grpcAddress = object["grpc"] as? String ?? ""
                self.token = token.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if !baseURL.isEmpty, let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/readyz"), timeout: .seconds(1)),
               response.status == .ok {
                readyMilliseconds = Double(caphost_monotonic_ns() - started) / 1e6
                return
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
        stop()
        throw BenchError("caphost serve was not ready within \(timeout)")
    }

    /// VmRSS of the process, in MiB.
    func residentMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            return nil
        }
        return kilobytes / 1024
    }

    /// SIGTERM, waiting for the graceful stop (SIGKILL after 10 s).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(5000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
