import CapHostClient
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Where the client finds the host: flags, then environment, then the state
/// folder's server.json / api-token, then the default.
@Suite struct HostEndpointTests {
    /// A state folder with the files a running `caphost serve` writes.
    func stateFolder(url: String? = "http://127.0.0.1:7171", token: String? = "state-token\n") throws -> TemporaryFolder {
        let folder = try TemporaryFolder("endpoint")
        if let url {
            try folder.write("server.json", #"{"url":"\#(url)","grpc":"127.0.0.1:8679","mcp":"\#(url)/mcp","pid":4242,"startedAt":1763800000.5}"#)
        }
        if let token { try folder.write("api-token", token) }
        return folder
    }

    @Test func flagsWinOverEnvironmentWhichWinsOverTheStateFolder() throws {
        let folder = try stateFolder()
        defer { folder.remove() }
        let state = folder.path
        let environment = ["CAPHOST_URL": "http://127.0.0.1:7272/", "CAPHOST_TOKEN": "env-token"]

        let flags = try HostEndpoint.discover(url: "http://127.0.0.1:7373", token: "flag-token", stateDirectory: state, environment: environment)
        #expect(flags.url == "http://127.0.0.1:7373" && flags.token == "flag-token")
        #expect(flags.urlSource == .flag("--url") && flags.tokenSource == .flag("--token"))

        let fromEnvironment = try HostEndpoint.discover(stateDirectory: state, environment: environment)
        #expect(fromEnvironment.url == "http://127.0.0.1:7272", "a trailing slash is dropped")
        #expect(fromEnvironment.token == "env-token" && fromEnvironment.tokenSource == .environment("CAPHOST_TOKEN"))

        let fromState = try HostEndpoint.discover(stateDirectory: state, environment: [:])
        #expect(fromState.url == "http://127.0.0.1:7171" && fromState.urlSource == .stateDirectory(file: state + "/server.json"))
        #expect(fromState.token == "state-token", "the token file's newline is trimmed")
        #expect(fromState.tokenSource == .stateDirectory(file: state + "/api-token"))

        // URL and token are found independently.
        let mixed = try HostEndpoint.discover(url: "https://127.0.0.1:9443", stateDirectory: state, environment: [:])
        #expect(mixed.url == "https://127.0.0.1:9443" && mixed.token == "state-token")
    }

    @Test func withNothingFoundTheDefaultURLAndNoToken() throws {
        let emptyFolder = try stateFolder(url: nil, token: nil)
        defer { emptyFolder.remove() }
        let empty = emptyFolder.path
        let endpoint = try HostEndpoint.discover(stateDirectory: empty, environment: ["CAPHOST_URL": ""])
        #expect(endpoint.url == "http://127.0.0.1:7070" && endpoint.urlSource == .builtIn)
        #expect(endpoint.token == nil && endpoint.tokenSource == nil)
        #expect(HostEndpoint.defaultStateDirectory == ".caphost")
    }

    @Test func unusableURLsAndStateFilesAreExplained() throws {
        let bad = #expect(throws: HostClientError.self) { try HostEndpoint.discover(url: "127.0.0.1:7070", environment: [:]) }
        #expect(bad?.kind == .invalidEndpoint)
        #expect(bad?.message == #""127.0.0.1:7070" (from the --url flag) is not a caphost URL: expected http://HOST:PORT or https://HOST:PORT, such as http://127.0.0.1:7070"#)

        let fromEnvironment = #expect(throws: HostClientError.self) {
            try HostEndpoint.discover(environment: ["CAPHOST_URL": "ftp://127.0.0.1/"])
        }
        #expect(fromEnvironment?.message.contains("(from the environment variable CAPHOST_URL)") == true)

        let folder = try stateFolder(url: nil, token: nil)
        defer { folder.remove() }
        let state = folder.path
        try "not json".write(toFile: state + "/server.json", atomically: true, encoding: .utf8)
        let broken = #expect(throws: HostClientError.self) { try HostEndpoint.discover(stateDirectory: state, environment: [:]) }
        #expect(broken?.message == "\(state)/server.json is not a caphost server announcement (expected JSON with a \"url\"); remove it if no host runs, or pass --url")
    }

    @Test func nothingListeningIsReportedAtOnceWithWhatToDo() async throws {
        let port = try LoopbackSocket.closedPort()
        let endpoint = HostEndpoint(url: "http://127.0.0.1:\(port)", token: "t", urlSource: .environment("CAPHOST_URL"))
        let started = ContinuousClock.now
        let error = await HostClient.withUnreachable(endpoint)
        #expect(ContinuousClock.now - started < .seconds(3), "connection refused must not be retried until a timeout")
        #expect(error?.kind == .unreachable)
        #expect(error?.message.hasPrefix("no caphost is listening on http://127.0.0.1:\(port) (") == true, "\(String(describing: error))")
        #expect(error?.message.hasSuffix("; the URL came from the environment variable CAPHOST_URL — start one with `caphost serve`, or set CAPHOST_URL / --url") == true,
                "\(String(describing: error))")

        // A stale server.json (the host was killed) is named as the likely cause.
        let folder = try stateFolder(url: "http://127.0.0.1:\(port)")
        defer { folder.remove() }
        let state = folder.path
        let stale = await HostClient.withUnreachable(try HostEndpoint.discover(stateDirectory: state, environment: [:]))
        #expect(stale?.message.contains("\(state)/server.json names it, so the host may have stopped without cleaning up") == true,
                "\(String(describing: stale))")

        // Following events fails the same way instead of retrying forever.
        let client = HostClient(endpoint: endpoint)
        do {
            for try await _ in client.followEvents() { Issue.record("an event from nowhere") }
            Issue.record("following a host that is not there ended without an error")
        } catch let error as HostClientError {
            #expect(error.kind == .unreachable)
        }
        try await client.shutdown()
    }
}

extension HostClient {
    /// The error a request to `endpoint` fails with (nil if it did not fail).
    static func withUnreachable(_ endpoint: HostEndpoint) async -> HostClientError? {
        let client = HostClient(endpoint: endpoint)
        var failure: HostClientError?
        do {
            _ = try await client.plugins()
        } catch {
            failure = error
        }
        try? await client.shutdown()
        return failure
    }
}
