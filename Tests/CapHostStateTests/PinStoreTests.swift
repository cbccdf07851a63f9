import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Testing

/// Pins survive a restart; unpin and swap forget them.
@Suite(.serialized) struct PinStoreTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    /// Runs `body` with a host whose events are archived (with pins) in `directory`'s database (`TestHost.with`).
    private func withArchivedHost<T>(in directory: TemporaryFolder, _ body: (TestHost, EventArchive, PinStore) async throws -> T) async throws -> T {
        let database = try directory.open()
        let pins = PinStore(database: database)
        return try await TestHost.with { test in
            let archive = EventArchive(database: database, pins: pins, logger: quietLogger)
            try archive.attach(to: test.host)
            return try await body(test, archive, pins)
        }
    }

    private func loadProviders(into test: TestHost) async throws {
        try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a", priority: 10))
        try await test.load("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b", priority: 0))
    }

    @Test func aPinIsRestoredIntoTheNextHostBeforeItsPluginsLoad() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let stored = try await withArchivedHost(in: directory) { first, firstArchive, firstPins in
            try await loadProviders(into: first)
            #expect(first.host.resolve(slot)?.provider == "a", "a wins on priority")
            await first.host.pin(slot, to: "b")
            firstArchive.flush()
            let stored = try firstPins.pins()
            #expect(stored.map(\.slot) == [slot] && stored.map(\.provider) == ["b"])
            // Abandoned without close(): the pin is already committed with its event.
            return stored
        }

        try await withArchivedHost(in: directory) { second, archive, pins in
            let restored = try await pins.restore(into: second.host)
            #expect(restored == stored)
            try await loadProviders(into: second)
            #expect(second.host.resolve(slot)?.provider == "b", "the pin outranks priority after the restart")
            let explanation = try #require(second.host.explain(slot))
            #expect(explanation.override?.origin == .pin && explanation.override?.provider == "b")
            archive.flush()
            #expect(try pins.pins() == stored, "restoring the same pin keeps its original time")
            archive.close()
        }
    }

    @Test func unpinAndSwapForgetThePin() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await withArchivedHost(in: directory) { test, archive, pins in
            try await loadProviders(into: test)

            await test.host.pin(slot, to: "b")
            archive.flush()
            #expect(try pins.pins().map(\.provider) == ["b"])
            try await test.host.unpin(slot)
            archive.flush()
            #expect(try pins.pins().isEmpty)

            await test.host.pin(slot, to: "b")
            try await test.host.swap(to: CapabilityID(slot: slot, provider: "a"))
            archive.flush()
            #expect(try pins.pins().isEmpty, "a swap replaces the pin in the running host")
            let unpinned = try archive.events(kinds: [.unpinned])
            #expect(unpinned.map { $0.event.details["provider"] } == ["b"])
            archive.close()
        }
    }
}
