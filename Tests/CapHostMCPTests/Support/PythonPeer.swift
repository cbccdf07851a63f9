import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs a Python peer script from Tests/Peers in the package's peers venv
/// (created by Tests/Peers/setup-venv.sh when missing) and returns its output.
enum PythonPeer {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The venv's python, after making sure the venv exists (fails with the setup output otherwise).
    static func python() throws -> String {
        let root = FixturePlugins.repositoryRoot
        let python = root + "/.venv-peers/bin/python"
        let stamp = root + "/.venv-peers/.requirements"
        if !FileManager.default.isExecutableFile(atPath: python) || !FileManager.default.fileExists(atPath: stamp) {
            do {
                try FixturePlugins.run("/bin/bash", [root + "/Tests/Peers/setup-venv.sh"])
            } catch {
                throw FixtureError("the Python peers venv (.venv-peers) is missing and Tests/Peers/setup-venv.sh could not create it: \(error)")
            }
        }
        return python
    }

    /// Runs `Tests/Peers/<script>` with `arguments`; kills it after `timeout`.
    /// Waits on a termination handler, never blocking the cooperative pool.
    static func run(_ script: String, _ arguments: [String], timeout: Duration = .seconds(120)) async throws -> Output {
        let python = try python()
        let scratch = NSTemporaryDirectory() + "caphost-peer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // Files, not pipes: a chatty peer can never block on a full pipe.
        FileManager.default.createFile(atPath: scratch + "/stdout", contents: nil)
        FileManager.default.createFile(atPath: scratch + "/stderr", contents: nil)
        let stdout = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/stdout"))
        let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/stderr"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [FixturePlugins.repositoryRoot + "/Tests/Peers/" + script] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            Task.detached {
                try? await Task.sleep(for: timeout)
                if process.isRunning {
                    kill(pid, SIGTERM)
                    try? await Task.sleep(for: .seconds(3))
                    if process.isRunning { kill(pid, SIGKILL) }
                }
            }
        }
        try? stdout.close()
        try? stderr.close()
        let out = (try? String(contentsOfFile: scratch + "/stdout", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: scratch + "/stderr", encoding: .utf8)) ?? ""
        return Output(status: status, stdout: out, stderr: err)
    }
}
