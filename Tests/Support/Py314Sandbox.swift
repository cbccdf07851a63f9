import Foundation

/// The Python 3.14 peer sandbox (`Tests/Peers/py314/sandbox.sh`): a Debian sid chroot with the
/// real oneiric, crackerjack and session-buddy. A test that needs it builds it when it is
/// missing (≈ 4 min, once per machine) — never skips — and fails with the script's output when
/// it cannot.
public actor Py314Sandbox {
    public static let shared = Py314Sandbox()

    public static var script: String { FixturePlugins.repositoryRoot + "/Tests/Peers/py314/sandbox.sh" }

    private var built = false

    /// The argv that runs the real crackerjack 0.91.1 in the sandbox, for the crackerjack plugin's
    /// `command` (`sandbox.sh exec`, its venv first on PATH so its hooks' tools are found).
    public static var crackerjackCommand: [String] {
        ["/bin/bash", script, "exec", "--bind", "{rundir}", "--",
         "/usr/bin/env", "-C", "{workdir}", "PATH=/opt/crackerjack/bin:/usr/local/bin:/usr/bin:/bin",
         "/opt/crackerjack/bin/crackerjack", "{args}"]
    }

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
