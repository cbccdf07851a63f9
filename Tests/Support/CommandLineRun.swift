import Foundation

/// One run of the built `caphost` executable (or a shell line that runs it): its
/// exit status, stdout and stderr, run through `PeerProcess`.
public typealias CommandLineRun = PeerProcess.Output

extension CommandLineRun {
    /// Runs `caphost arguments…` with exactly `environment` (plus PATH), `stdin`
    /// bytes (or none), in `directory`; kills it after `timeout`.
    public static func caphost(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                               directory: String = NSTemporaryDirectory(), timeout: Duration = .seconds(60)) async throws -> CommandLineRun {
        try await PeerProcess.run(FixturePlugins.buildProductsDirectory + "/caphost", arguments, stdin: stdin ?? "",
                                  environment: withPath(environment), directory: directory, timeout: timeout)
    }

    /// Runs a shell command line as written (`/bin/sh -c`), with `$caphost` naming the
    /// built executable, as a reader would paste it from the README.
    public static func shell(_ line: String, environment: [String: String] = [:], directory: String,
                             timeout: Duration = .seconds(60)) async throws -> CommandLineRun {
        let caphost = ["caphost": FixturePlugins.buildProductsDirectory + "/caphost"]
        return try await PeerProcess.run("/bin/sh", ["-c", line], environment: withPath(environment.merging(caphost) { own, _ in own }),
                                         directory: directory, timeout: timeout)
    }

    private static func withPath(_ environment: [String: String]) -> [String: String] {
        environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { own, _ in own }
    }
}
