import CapHostState
import CapHostTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private temporary directory (mode 0700) for a test's state database and
/// record files; it outlives the hosts a test starts and stops on it.
final class StateDirectory: Sendable {
    let path: String

    init() throws {
        let path = NSTemporaryDirectory() + "caphost-state-test-\(UUID().uuidString.prefix(8))"
        guard mkdir(path, 0o700) == 0 else { throw FixtureError("mkdir \(path): \(String(cString: strerror(errno)))") }
        self.path = path
    }

    /// A file in the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// Opens the state database in this directory.
    func open() throws -> StateDatabase { try StateDatabase.open(stateDirectory: path + "/state") }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
