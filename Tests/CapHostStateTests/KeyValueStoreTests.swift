import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Testing

/// kv_get / kv_put / kv_delete from a real C plugin, kept in SQLite across restarts.
@Suite(.serialized) struct KeyValueStoreTests {
    let slot = SlotKey(domain: "adapter", category: "kv")

    private func call(_ host: CapabilityHost, provider: String = "kv", _ method: String, _ payload: String) async throws -> String {
        try await host.invoker.invoke(.provider(CapabilityID(slot: slot, provider: provider)), method: method,
                                      payload: Array(payload.utf8)).body.text
    }

    /// Runs `body` with a host whose key-value store is `database`, with `plugins` loaded (`TestHost.with`),
    /// in-process or each in its own process.
    private func withHost(_ database: StateDatabase, plugins: [String] = ["kv"], isolation: IsolationSettings.Mode = .inProcess,
                          _ body: (TestHost) async throws -> Void) async throws {
        try await TestHost.with(keyValueStore: SQLiteKeyValueStore(database: database), { $0.isolation.defaultMode = isolation }) { test in
            for name in plugins {
                let report = try await test.load("kv.c", as: "\(name).so",
                                                 defines: providerDefines(name: name, provider: name, category: "kv"))
                try #require(report.state == .loaded)
            }
            try await body(test)
        }
    }

    @Test func aPluginPutsGetsAndDeletesThroughTheHostAndTheValuesSurviveARestart() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await withHost(try directory.open()) { first async throws in
            #expect(try await call(first.host, "put", "greeting=hello, world") == "")
            #expect(try await call(first.host, "put", "empty=") == "")
            #expect(try await call(first.host, "put", "gone=soon") == "")
            #expect(try await call(first.host, "get", "greeting") == "hello, world")
            #expect(try await call(first.host, "put", "greeting=hello again") == "")
            #expect(try await call(first.host, "delete", "gone") == "")
            #expect(try await call(first.host, "delete", "gone") == "", "deleting an absent key is fine")
        }

        try await withHost(try directory.open()) { second async throws in
            #expect(try await call(second.host, "get", "greeting") == "hello again")
            #expect(try await call(second.host, "get", "empty") == "")
            await #expect {
                _ = try await call(second.host, "get", "gone")
            } throws: { error in
                let error = try #require(error as? InvocationError)
                return error.code == .notFound && error.message.hasSuffix("kv_get 'gone' returned status 2")
            }
        }
    }

    @Test func anIsolatedPluginKeepsItsValuesInTheHostsStoreAsItDoesInProcess() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await withHost(try directory.open(), isolation: .process) { isolated async throws in
            #expect(isolated.host.plugins().first?.isolation?.process?.state == .running)
            #expect(try await call(isolated.host, "put", "greeting=from its own process") == "")
            #expect(try await call(isolated.host, "get", "greeting") == "from its own process")
            #expect(try await call(isolated.host, "put", "gone=soon") == "")
            #expect(try await call(isolated.host, "delete", "gone") == "")
            await #expect {
                _ = try await call(isolated.host, "put", String(repeating: "k", count: 257) + "=v")
            } throws: { error in
                (error as? InvocationError)?.code == .invalidArgument
            }
        }
        // The same plugin in-process reads what it wrote from its own process: one store.
        try await withHost(try directory.open()) { inProcess async throws in
            #expect(try await call(inProcess.host, "get", "greeting") == "from its own process")
            await #expect {
                _ = try await call(inProcess.host, "get", "gone")
            } throws: { error in
                (error as? InvocationError)?.code == .notFound
            }
        }
    }

    @Test func eachPluginSeesOnlyItsOwnKeys() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await withHost(try directory.open(), plugins: ["left", "right"]) { test in
            _ = try await call(test.host, provider: "left", "put", "shared=from left")
            _ = try await call(test.host, provider: "right", "put", "shared=from right")
            #expect(try await call(test.host, provider: "left", "get", "shared") == "from left")
            #expect(try await call(test.host, provider: "right", "get", "shared") == "from right")
        }
    }

    @Test func oversizedKeysAndValuesAreRefusedByTheHost() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await withHost(try directory.open()) { test in
            await #expect {
                _ = try await call(test.host, "put", String(repeating: "k", count: 257) + "=v")
            } throws: { error in
                (error as? InvocationError)?.code == .invalidArgument
            }
            await #expect {
                _ = try await call(test.host, "put", "big=" + String(repeating: "v", count: (1 << 20) + 1))
            } throws: { error in
                (error as? InvocationError)?.code == .invalidArgument
            }
        }
    }
}
