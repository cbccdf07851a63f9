import Foundation

/// The Python venv of test peers (`.venv-peers`: mcp, grpcio, grpcio-tools),
/// created by `Tests/Peers/setup-venv.sh` once per test run. A venv that
/// cannot be created fails the test with the script's own output: the peers
/// are the independent side of these tests, never skipped.
public actor PeerVenv {
    public static let shared = PeerVenv()

    private var python: String?

    /// The venv's python, after making sure its requirements are installed.
    public func pythonPath() async throws -> String {
        if let python { return python }
        let root = FixturePlugins.repositoryRoot
        let script = root + "/Tests/Peers/setup-venv.sh"
        let setup = try await PeerProcess.run("/bin/bash", [script], timeout: .seconds(900))
        guard setup.status == 0 else {
            throw FixtureError("""
                \(script) failed (exit \(setup.status)); the peer tests need this venv \
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

/// A Python peer script from Tests/Peers, run in the peers venv.
public enum PythonPeer {
    /// Runs `Tests/Peers/<script>` with `arguments`; kills it after `timeout`.
    public static func run(_ script: String, _ arguments: [String], stdin: String = "",
                           timeout: Duration = .seconds(120)) async throws -> PeerProcess.Output {
        let python = try await PeerVenv.shared.pythonPath()
        return try await PeerProcess.run(python, [FixturePlugins.repositoryRoot + "/Tests/Peers/" + script] + arguments,
                                         stdin: stdin, timeout: timeout)
    }
}
