import ArgumentParser
import CapHostClient
import Foundation

/// How a client command finds the running host, shared by every client command.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Base URL of the running host (default: CAPHOST_URL, else the url in <state-dir>/server.json, else http://127.0.0.1:7070).",
        valueName: "url"))
    var url: String?

    @Option(name: .long, help: ArgumentHelp(
        "Bearer token (default: CAPHOST_TOKEN, else <state-dir>/api-token). Prefer the variable: flags show up in `ps`.",
        valueName: "token"))
    var token: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "The host's state folder, where `caphost serve` writes server.json and api-token.", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the host's answer (default 30; drain: 600).", valueName: "seconds"))
    var timeout: Double?

    @Flag(name: .long, help: "Print the host's answer as JSON (for scripts and jq) instead of text.")
    var json = false

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout must be a positive number of seconds, found \(timeout)")
        }
    }

    /// The endpoint from flags, environment and state folder.
    func endpoint() throws -> HostEndpoint {
        do {
            return try HostEndpoint.discover(url: url, token: token, stateDirectory: stateDir)
        } catch {
            throw ClientCommandFailure(error)
        }
    }

    /// `--timeout`, or `fallback` when it was not given.
    func requestTimeout(or fallback: Duration = .seconds(30)) -> Duration {
        timeout.map { .milliseconds(Int64($0 * 1000)) } ?? fallback
    }

    /// Runs `body` with a client and turns a `HostClientError` into a message on
    /// stderr and the exit status (1 host error, 2 bad endpoint, 3 host unreachable).
    func withClient<Result: Sendable>(_ body: (HostClient) async throws -> Result) async throws -> Result {
        let endpoint = try endpoint()
        do {
            return try await HostClient.with(endpoint: endpoint, requestTimeout: requestTimeout(), body)
        } catch let error as HostClientError {
            throw ClientCommandFailure(error)
        }
    }
}
