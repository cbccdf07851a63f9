import Foundation

/// One run of the built `caphost` executable (or a shell line that runs it): its exit status, stdout and stderr.
/// Output goes through files (no pipe can fill up), and the wait happens on a
/// thread of its own, never on the cooperative pool.
public struct CommandLineRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// Runs `caphost arguments…` with exactly `environment` (plus PATH), `stdin`
    /// bytes (or /dev/null), in `directory`; kills it after `timeout`.
    public static func caphost(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                        directory: String = NSTemporaryDirectory(), timeout: Duration = .seconds(60)) async throws -> CommandLineRun {
        try await run(FixturePlugins.buildProductsDirectory + "/caphost", arguments, environment: environment, stdin: stdin,
                      directory: directory, timeout: timeout)
    }

    /// Runs a shell command line as written (`/bin/sh -c`), with `$caphost` naming the
    /// built executable, as a reader would paste it from the README.
    public static func shell(_ line: String, environment: [String: String] = [:], directory: String,
                             timeout: Duration = .seconds(60)) async throws -> CommandLineRun {
        try await run("/bin/sh", ["-c", line],
                      environment: environment.merging(["caphost": FixturePlugins.buildProductsDirectory + "/caphost"]) { own, _ in own },
                      stdin: nil, directory: directory, timeout: timeout)
    }

    private static func run(_ executable: String, _ arguments: [String], environment: [String: String], stdin: String?,
                            directory: String, timeout: Duration) async throws -> CommandLineRun {
        let scratchFolder = try TemporaryFolder("cli")
        defer { scratchFolder.remove() }
        let scratch = scratchFolder.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { own, _ in own }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: scratch + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch + "/err", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/err"))
        if let stdin {
            try stdin.write(toFile: scratch + "/in", atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: scratch + "/in"))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let seconds = Double(timeout.components.seconds)
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let waiter = Thread {
                let deadline = Date().addingTimeInterval(seconds)
                while process.isRunning && Date() < deadline { usleep(5_000) }
                if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                continuation.resume(returning: Date() < deadline)
            }
            waiter.start()
        }
        let stdout = (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? ""
        guard finished else { throw FixtureError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout); stderr: \(stderr)") }
        return CommandLineRun(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
