import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a Python peer from Tests/Peers with the venv's interpreter: its stdin a pipe the caller
/// keeps (the peers exit when it closes, so a test process that dies leaves none behind), its
/// stderr to a file (a chatty peer never blocks on a pipe nobody drains), and its first stdout
/// line — the announcement of its ports — read within a timeout.
public struct PythonPeerLaunch<Announcement>: @unchecked Sendable {
    public let process: Process
    public let stdinPipe: Pipe
    /// What `read` made of the first line.
    public let announcement: Announcement

    /// Starts `Tests/Peers/<script>` with `arguments`, this process's environment plus
    /// `environment`. `read` turns the first stdout line into the announcement; when there is no
    /// line within `timeout` seconds or `read` returns nil, the peer is killed and the error
    /// quotes the line and the peer's stderr.
    public static func start(_ script: String, _ arguments: [String], environment: [String: String] = [:],
                             expecting: String, timeout: Double = 30,
                             read: (String) -> Announcement?) async throws -> PythonPeerLaunch {
        let python = try await PeerVenv.shared.pythonPath()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [FixturePlugins.repositoryRoot + "/Tests/Peers/" + script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        let errorsPath = NSTemporaryDirectory() + "\((script as NSString).deletingPathExtension)-\(UUID().uuidString.prefix(8)).stderr"
        guard FileManager.default.createFile(atPath: errorsPath, contents: nil),
              let errorsHandle = FileHandle(forWritingAtPath: errorsPath) else {
            throw FixtureError("cannot create \(errorsPath)")
        }
        defer {
            try? errorsHandle.close()
            try? FileManager.default.removeItem(atPath: errorsPath)
        }
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = errorsHandle
        try process.run()
        let firstLine = await ChildOutput.firstLine(of: stdoutPipe.fileHandleForReading, process: process, timeout: timeout)
        guard let firstLine, let announcement = read(firstLine) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
            throw FixtureError("\(script) did not print \(expecting) (got \(firstLine.map { "'\($0)'" } ?? "nothing")): \(errors)")
        }
        return PythonPeerLaunch(process: process, stdinPipe: stdinPipe, announcement: announcement)
    }
}

/// Reading a peer's announcement line.
public enum PeerAnnouncement {
    /// The integer fields `keys` of a JSON object line, in order; nil when any is missing.
    public static func ports(_ keys: [String], of line: String) -> [Int]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        let ports = keys.compactMap { object[$0] as? Int }
        return ports.count == keys.count ? ports : nil
    }
}
