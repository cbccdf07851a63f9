import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Every host event in SQLite, across runs, without slowing the thread that records it.
@Suite(.serialized) struct EventArchiveTests {
    @Test func archivesEventsOfEveryRunWithIdsThatKeepGrowing() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let (firstRun, firstEvents) = try await TestHost.with { first in
            // Recorded before the archive attaches: still in the host's memory, so archived.
            try await first.load("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a"))
            let firstArchive = EventArchive(database: try directory.open())
            let firstRun = try firstArchive.attach(to: first.host)
            await first.host.pin(SlotKey(domain: "adapter", category: "bench"), to: "a")
            firstArchive.flush()
            let firstEvents = try firstArchive.events()
            #expect(firstEvents.map(\.event.kind).contains(.pluginLoaded))
            #expect(firstEvents.last?.event.kind == .pinned)
            #expect(firstEvents.last?.event.details["provider"] == "a")
            #expect(Set(firstEvents.map(\.runID)) == [firstRun])
            #expect(firstEvents.map(\.event.sequence) == Array(1...UInt64(firstEvents.count)), "no event lost or doubled")
            firstArchive.close()
            return (firstRun, firstEvents)
        }

        try await TestHost.with { second in
            let secondArchive = EventArchive(database: try directory.open())
            let secondRun = try secondArchive.attach(to: second.host)
            #expect(secondRun > firstRun)
            try await second.load("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b"))
            secondArchive.flush()

            let all = try secondArchive.events(limit: 10_000)
            #expect(all.map(\.id) == all.map(\.id).sorted() && Set(all.map(\.id)).count == all.count)
            #expect(Array(all.prefix(firstEvents.count)) == firstEvents, "the first run's events come back as they were")
            let later = try secondArchive.events(after: firstEvents.last!.id)
            #expect(!later.isEmpty && later.allSatisfy { $0.runID == secondRun })
            #expect(later.allSatisfy { $0.event.sequence > firstEvents.last!.event.sequence }, "a run's sequence continues the archive's")
            let loads = try secondArchive.events(kinds: [.pluginLoaded])
            #expect(loads.map(\.event.subject).map { ($0 as NSString).lastPathComponent } == ["a.so", "b.so"])
            #expect(try secondArchive.events(kinds: []).isEmpty)
            #expect(try secondArchive.events(after: 0, limit: 2).count == 2)
            let awkward = second.host.events.record(.healthChanged, subject: "adapter:odd:\u{1F600}", reason: "said \"no\"\ttwice",
                                                    details: ["quote\"key": "line\nbreak\u{1}\\", "ü": "✓", "": ""])
            secondArchive.flush()
            #expect(try secondArchive.events(kinds: [.healthChanged]).last?.event == awkward, "details of any text come back as recorded")
            secondArchive.close()
        }
    }

    /// A client that saw events up to some id, then reconnects after a restart
    /// with `Last-Event-ID` (or `?after=`), gets the new run's events: the ids it
    /// sees keep growing across runs instead of starting again at 1.
    @Test func aClientResumingAfterARestartGetsTheNewRunsEvents() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let lastSeen = try await TestHost.with { first in
            let firstArchive = EventArchive(database: try directory.open())
            try firstArchive.attach(to: first.host)
            for index in 0..<5 { first.host.events.record(.healthChanged, subject: "adapter:bench:a", reason: "before the restart \(index)") }
            let lastSeen = try #require(first.host.events.events().last?.sequence)
            firstArchive.close()
            return lastSeen
        }

        try await TestHost.with { second in
            // Recorded before the archive attaches (a load at start-up): renumbered to follow the archive.
            second.host.events.record(.healthChanged, subject: "adapter:bench:b", reason: "early in the second run")
            let secondArchive = EventArchive(database: try directory.open())
            try secondArchive.attach(to: second.host)
            second.host.events.record(.healthChanged, subject: "adapter:bench:b", reason: "after the restart")

            let resumed = second.host.events.events(after: lastSeen)
            #expect(resumed.map(\.reason) == ["early in the second run", "after the restart"])
            #expect(resumed.map(\.sequence) == [lastSeen + 1, lastSeen + 2])
            secondArchive.flush()
            let archived = try secondArchive.events(limit: 100).map(\.event.sequence)
            #expect(archived == Array(1...(lastSeen + 2)), "archived sequences are unique and increasing across runs")
            secondArchive.close()
        }
    }

    /// 40 000 events from two threads at full speed: the sink only buffers,
    /// batches reach the disk behind it, and after flush every one is there.
    /// Prints the recording time without and with the archive attached.
    @Test func aStormOfEventsIsArchivedInBatchesWithoutLosingAny() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await TestHost.with { test in
            let baseline = try await record(40_000, into: test.host.events, subject: "adapter:calm")
            let archive = EventArchive(database: try directory.open(), logger: quietLogger)
            try archive.attach(to: test.host)
            let archived = try await record(40_000, into: test.host.events, subject: "adapter:storm")
            archive.flush()
            let stored = try archive.events(limit: 200_000, kinds: [.healthChanged]).filter { $0.event.subject.hasPrefix("adapter:storm") }
            #expect(stored.count == 40_000)
            #expect(Set(stored.map(\.event.sequence)).count == 40_000)
            #expect(archive.droppedEvents == 0)
            print("event archive: 40000 events from two threads took \(baseline) without the archive, \(archived) with it; all committed after flush")
            archive.close()
        }
    }

    /// Records `count` events from two threads and returns how long it took.
    private func record(_ count: Int, into events: EventLog, subject: String) async throws -> Duration {
        let done = Atomic<Int>(0)
        let started = ContinuousClock.now
        for thread in 0..<2 {
            Thread {
                for index in 0..<count / 2 {
                    events.record(.healthChanged, subject: "\(subject):p\(thread)", reason: "storm \(index)")
                }
                done.add(1, ordering: .relaxed)
            }.start()
        }
        try await eventually("both writers to finish", timeout: .seconds(120)) { done.load(ordering: .relaxed) == 2 }
        return ContinuousClock.now - started
    }

    @Test func keepsOnlyTheNewestEventsPastTheRetentionLimit() async throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        try await TestHost.with { test in
            var settings = EventArchive.Settings()
            settings.retainedEvents = 100
            let archive = EventArchive(database: try directory.open(), settings: settings)
            try archive.attach(to: test.host)
            var last: HostEvent?
            for index in 0..<2500 {
                last = test.host.events.record(.healthChanged, subject: "adapter:x:y", reason: "event \(index)")
                if index % 250 == 0 { archive.flush() }
            }
            archive.flush()
            let kept = try archive.events(limit: 10_000)
            #expect(kept.count >= 100 && kept.count < 200, "\(kept.count) kept")
            #expect(kept.last?.event == last)
            archive.close()
        }
    }
}
