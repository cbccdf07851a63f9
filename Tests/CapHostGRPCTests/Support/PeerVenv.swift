import CapHostTestSupport
import Foundation

/// The Python venv of test peers (`.venv-peers`, grpcio + grpcio-tools),
/// created by `Tests/Peers/setup-venv.sh` once per test run. A venv that
/// cannot be created fails the test with the script's own output: the peers
/// are the independent side of these tests, never skipped.
actor PeerVenv {
    static let shared = PeerVenv()

    private var python: String?

    /// The venv's python, after making sure its requirements are installed.
    func pythonPath() async throws -> String {
        if let python { return python }
        let root = FixturePlugins.repositoryRoot
        let script = root + "/Tests/Peers/setup-venv.sh"
        let setup = try await PeerProcess.run("/bin/bash", [script], timeout: .seconds(900))
        guard setup.status == 0 else {
            throw FixtureError("""
                \(script) failed (exit \(setup.status)); the gRPC tests need the peers venv \
                (Python 3 with venv and pip, PyPI reachable):
                \(setup.stderr)\(setup.stdout)
                """)
        }
        let path = root + "/.venv-peers/bin/python"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw FixtureError("\(script) succeeded but \(path) is missing")
        }
        python = path
        return path
    }
}
