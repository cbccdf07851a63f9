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

    private func startHost(_ database: StateDatabase, plugins: [String] = ["kv"]) async throws -> TestHost {
        let test = try TestHost(keyValueStore: SQLiteKeyValueStore(database: database))
        for name in plugins {
            let report = try await test.load("kv.c", as: "\(name).so",
                                             defines: providerDefines(name: name, provider: name, category: "kv"))
            try #require(report.state == .loaded)
        }
        return test
    }

    @Test func aPluginPutsGetsAndDeletesThroughTheHostAndTheValuesSurviveARestart() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let first = try await startHost(try directory.open())
        #expect(try await call(first.host, "put", "greeting=hello, world") == "")
        #expect(try await call(first.host, "put", "empty=") == "")
        #expect(try await call(first.host, "put", "gone=soon") == "")
        #expect(try await call(first.host, "get", "greeting") == "hello, world")
        #expect(try await call(first.host, "put", "greeting=hello again") == "")
        #expect(try await call(first.host, "delete", "gone") == "")
        #expect(try await call(first.host, "delete", "gone") == "", "deleting an absent key is fine")
        await first.stop()

        let second = try await startHost(try directory.open())
        #expect(try await call(second.host, "get", "greeting") == "hello again")
        #expect(try await call(second.host, "get", "empty") == "")
        await #expect {
            _ = try await call(second.host, "get", "gone")
        } throws: { error in
            let error = try #require(error as? InvocationError)
            return error.code == .notFound && error.message.hasSuffix("kv_get 'gone' returned status 2")
        }
        await second.stop()
    }

    @Test func eachPluginSeesOnlyItsOwnKeys() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let test = try await startHost(try directory.open(), plugins: ["left", "right"])
        _ = try await call(test.host, provider: "left", "put", "shared=from left")
        _ = try await call(test.host, provider: "right", "put", "shared=from right")
        #expect(try await call(test.host, provider: "left", "get", "shared") == "from left")
        #expect(try await call(test.host, provider: "right", "get", "shared") == "from right")
        await test.stop()
    }

    @Test func oversizedKeysAndValuesAreRefusedByTheHost() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let test = try await startHost(try directory.open())
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
        await test.stop()
    }
}
