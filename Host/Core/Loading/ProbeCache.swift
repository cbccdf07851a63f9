import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Probe reports kept beside the image store (`<state>/loaded/<sha256>.probe.json`),
/// so an unchanged plugin is not probed again at every start. A report is reused
/// only for the same image (its digest names the file), the same configuration,
/// the same `caphost-runner` and the same host executable: a change to any of
/// them probes again. Only passing probes are kept; a plugin that crashed,
/// hung or failed is probed every time.
struct ProbeCache: Sendable {
    let directory: String
    /// What else a report depends on: the runner's and the host's files.
    let environment: String

    init(directory: String, runnerPath: String) {
        self.directory = directory
        self.environment = "runner \(Self.identity(of: runnerPath)); host \(Self.identity(of: "/proc/self/exe"))"
    }

    private struct Entry: Codable {
        let digest: String
        let configDigest: String
        let environment: String
        let report: ProbeReport
    }

    /// The kept report for `digest` under `configDigest`, if it still applies.
    func report(digest: String, configDigest: String) -> ProbeReport? {
        guard let data = FileManager.default.contents(atPath: path(digest)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              entry.digest == digest, entry.configDigest == configDigest, entry.environment == environment else { return nil }
        return entry.report
    }

    /// Keeps `report` when it passed; written to a temporary name and renamed into place.
    func keep(_ report: ProbeReport, digest: String, configDigest: String) {
        guard report.error == nil, report.health?.healthy == true,
              let data = try? JSONEncoder().encode(Entry(digest: digest, configDigest: configDigest,
                                                          environment: environment, report: report)) else { return }
        // Two files with the same bytes may be prepared at once: each writes its own temporary.
        let temporary = path(digest) + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary, path(digest)) != 0 { unlink(temporary) }
    }

    private func path(_ digest: String) -> String {
        (directory as NSString).appendingPathComponent("\(digest).probe.json")
    }

    /// A file's device, inode, size and modification time: changes when it is rebuilt or replaced.
    static func identity(of path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { return "missing" }
        return "\(status.st_dev):\(status.st_ino):\(status.st_size):\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
    }
}
