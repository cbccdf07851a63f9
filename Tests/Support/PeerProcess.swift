import Foundation

/// The test support's one way to run a program to completion (a peer, the built
/// `caphost`, a shell line) without blocking the cooperative pool: its output goes
/// to files (no pipe can fill up), its exit is awaited through `terminationHandler`,
/// and it is killed when it outlives its timeout or the test is cancelled.
public enum PeerProcess {
    /// How a peer ended and what it printed.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `executable` with `arguments`, feeding it `stdin`, with `environment`
    /// (nil: this process's own) in `directory` (nil: this process's); kills it after `timeout`.
    public static func run(_ executable: String, _ arguments: [String], stdin: String = "",
                           environment: [String: String]? = nil, directory: String? = nil,
                           timeout: Duration = .seconds(120)) async throws -> Output {
        let folderFolder = try TemporaryFolder("peer")
        defer { folderFolder.remove() }
        let folder = folderFolder.path
        let paths = (stdin: folder + "/stdin", stdout: folder + "/stdout", stderr: folder + "/stderr")
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: paths.stdin))
        for path in [paths.stdout, paths.stderr] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw FixtureError("cannot create \(path)") }
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle(forReadingAtPath: paths.stdin)
        process.standardOutput = FileHandle(forWritingAtPath: paths.stdout)
        process.standardError = FileHandle(forWritingAtPath: paths.stderr)

        let status: Int32 = try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Int32?.self) { group in
                let exited = AsyncStream<Int32>.makeStream()
                process.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
                try process.run()
                group.addTask { await exited.stream.first { _ in true } ?? -1 }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                guard let status = first else {
                    Self.kill(process)
                    group.cancelAll()
                    let stderr = (try? String(contentsOfFile: paths.stderr, encoding: .utf8)) ?? ""
                    throw FixtureError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout); killed; stderr: \(stderr.suffix(2000))")
                }
                group.cancelAll()
                return status
            }
        } onCancel: {
            Self.kill(process)
        }
        let stdout = (try? String(contentsOfFile: paths.stdout, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: paths.stderr, encoding: .utf8)) ?? ""
        return Output(status: status, stdout: stdout, stderr: stderr)
    }

    private static func kill(_ process: Process) {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
    }
}
