import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Testing

/// Pins survive a restart; unpin and swap forget them.
@Suite(.serialized) struct PinStoreTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    /// A host whose events are archived (with pins) in `directory`'s database.
    private func archivedHost(in directory: TemporaryFolder) throws -> (TestHost, EventArchive, PinStore) {
        let database = try directory.open()
        let pins = PinStore(database: database)
        let test = try TestHost()
        let archive = EventArchive(database: database, pins: pins, logger: quietLogger)
        try archive.attach(to: test.host)
        return (test, archive, pins)
    }

    private func loadProviders(into test: TestHost) async throws {
        try await test.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a", priority: 10))
        try await test.load("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b", priority: 0))
    }

    @Test func aPinIsRestoredIntoTheNextHostBeforeItsPluginsLoad() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let (first, firstArchive, firstPins) = try archivedHost(in: directory)
        try await loadProviders(into: first)
        #expect(first.host.resolve(slot)?.provider == "a", "a wins on priority")
        await first.host.pin(slot, to: "b")
        firstArchive.flush()
        let stored = try firstPins.pins()
        #expect(stored.map(\.slot) == [slot] && stored.map(\.provider) == ["b"])
        // Abandoned without close(): the pin is already committed with its event.
        await first.stop()

        let (second, archive, pins) = try archivedHost(in: directory)
        let restored = try await pins.restore(into: second.host)
        #expect(restored == stored)
        try await loadProviders(into: second)
        #expect(second.host.resolve(slot)?.provider == "b", "the pin outranks priority after the restart")
        let explanation = try #require(second.host.explain(slot))
        #expect(explanation.override?.origin == .pin && explanation.override?.provider == "b")
        archive.flush()
        #expect(try pins.pins() == stored, "restoring the same pin keeps its original time")
        archive.close()
        await second.stop()
    }

    @Test func unpinAndSwapForgetThePin() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let (test, archive, pins) = try archivedHost(in: directory)
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
        await test.stop()
    }
}
