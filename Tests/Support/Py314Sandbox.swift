import Foundation

/// The Python 3.14 peer sandbox (`Tests/Peers/py314/sandbox.sh`): a Debian sid chroot with the
/// real oneiric, crackerjack and session-buddy. A test that needs it builds it when it is
/// missing (≈ 4 min, once per machine) — never skips — and fails with the script's output when
/// it cannot.
public actor Py314Sandbox {
    public static let shared = Py314Sandbox()

    public static var script: String { FixturePlugins.repositoryRoot + "/Tests/Peers/py314/sandbox.sh" }

    private var built = false

    /// Builds the sandbox unless it is built (the script checks a stamp and serialises builds).
    public func ensureBuilt() async throws {
        if built { return }
        let build = try await PeerProcess.run("/bin/bash", [Self.script, "build"], timeout: .seconds(1_500))
        guard build.status == 0 else {
            throw FixtureError("""
                \(Self.script) build failed (exit \(build.status)); the Python 3.14 peers (oneiric, crackerjack, \
                session-buddy) need it (root, the Debian mirror and PyPI reachable):
                \(build.stderr)\(build.stdout)
                """)
        }
        built = true
    }
}
