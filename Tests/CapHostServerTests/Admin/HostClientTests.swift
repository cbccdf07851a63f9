import CapHostClient
import CapHostCore
import CapHostServer
import CapHostTestSupport
import Foundation
import Testing

/// `HostClient` against a real admin API on loopback over a real host with C plugins.
@Suite struct HostClientTests {
    static let bench = SlotKey(domain: "adapter", category: "bench")

    static func client(_ harness: AdminAPIHarness, token: String? = nil) -> HostClient {
        HostClient(endpoint: HostEndpoint(url: harness.baseURL, token: token ?? harness.token.value))
    }

    @Test func catalogAnswersDecodeIntoTheCoreTypes() async throws {
        try await AdminAPIHarness.withTwoProviders { harness in
            let client = Self.client(harness)
            #expect(try await client.health())
            let readiness = try await client.readiness()
            #expect(readiness.status == "ready" && readiness.plugins == 2 && readiness.capabilities == 1)

            let plugins = try await client.plugins()
            #expect(plugins.map { ($0.file as NSString).lastPathComponent } == ["libalpha.so", "libbeta.so"])
            #expect(plugins.allSatisfy { $0.state == .loaded })
            #expect(plugins.first?.descriptor?.name == "alpha")

            let slots = try await client.capabilities()
            #expect(slots.map(\.slot) == [Self.bench] && slots.first?.active == "adapter:bench:alpha")

            let explanation = try await client.explain(Self.bench)
            #expect(explanation.candidates.map(\.id) .sorted() == ["adapter:bench:alpha", "adapter:bench:beta"])
            #expect(explanation.candidates.first { $0.id == "adapter:bench:alpha" }?.status == "active")
            #expect(explanation.decidedBy.contains("priority"))

            let resolution = try await client.resolve(Self.bench)
            #expect(resolution.slot == "adapter:bench" && resolution.provider == "adapter:bench:alpha")

            let unknown = await #expect(throws: HostClientError.self) { try await client.explain(SlotKey(domain: "adapter", category: "nothing")) }
            #expect(unknown?.kind == .host && unknown?.status == 404 && unknown?.code == "unknown_slot")
            try await client.shutdown()
        }
    }

    @Test func invokeReturnsThePluginsBytesAndWhoAnswered() async throws {
        try await AdminAPIHarness.withTwoProviders { harness in
            let client = Self.client(harness)
            let echoed = try await client.invoke(.slot(Self.bench), method: "echo", payload: Array(#"{"hello":"wörld"}"#.utf8))
            #expect(echoed.text == #"{"hello":"wörld"}"# && echoed.provider == "adapter:bench:alpha")
            let direct = try await client.invoke(.provider(CapabilityID(slot: Self.bench, provider: "beta")), method: "echo", payload: Array("[1,2]".utf8))
            #expect(direct.text == "[1,2]" && direct.provider == "adapter:bench:beta")

            let unknownMethod = await #expect(throws: HostClientError.self) {
                try await client.invoke(.slot(Self.bench), method: "nope", payload: Array("{}".utf8))
            }
            #expect(unknownMethod?.code == "unknown_method" && unknownMethod?.status == 404)
            #expect(unknownMethod?.details["provider"] == .string("adapter:bench:alpha"))
            #expect(unknownMethod?.description.contains("provider adapter:bench:alpha") == true || unknownMethod?.message.contains("adapter:bench:alpha") == true)

            let overrun = await #expect(throws: HostClientError.self) {
                try await client.invoke(.slot(Self.bench), method: "sleep", payload: Array("2000".utf8), deadline: .milliseconds(200))
            }
            #expect(overrun?.code == "timeout" && overrun?.status == 504, "\(String(describing: overrun))")
            try await client.shutdown()
        }
    }

    @Test func operatorCommandsSwapPinDrainAndResume() async throws {
        try await AdminAPIHarness.withTwoProviders { harness in
            let client = Self.client(harness)
            let outcome = try await client.swap(Self.bench, to: "beta", reason: "client test")
            #expect(outcome.from == "adapter:bench:alpha" && outcome.to == "adapter:bench:beta" && outcome.health.healthy)
            let refused = await #expect(throws: HostClientError.self) { try await client.swap(Self.bench, to: "gamma") }
            #expect(refused?.code == "unknown_provider")

            let pinned = try await client.pin(Self.bench, to: "alpha")
            #expect(pinned.active == "adapter:bench:alpha" && pinned.override?.origin == .pin)
            let unpinned = try await client.unpin(Self.bench)
            #expect(unpinned.override == nil)

            // A drain answers once the call running on the provider finished.
            let alpha = CapabilityID(slot: Self.bench, provider: "alpha")
            let slow = Task { try await client.invoke(.provider(alpha), method: "sleep", payload: Array("400".utf8)) }
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            let drained = try await client.drain(alpha, reason: "client test")
            #expect(drained.provider == "adapter:bench:alpha" && drained.inFlightAtStart == 1)
            #expect(ContinuousClock.now - started >= .milliseconds(200), "the drain answered before the in-flight call finished")
            _ = try await slow.value
            #expect(try await client.resolve(Self.bench).provider == "adapter:bench:beta")
            #expect(try await client.resume(alpha) == "adapter:bench:alpha")
            #expect(try await client.resolve(Self.bench).provider == "adapter:bench:alpha")
            try await client.shutdown()
        }
    }

    @Test func eventsAndMetrics() async throws {
        try await AdminAPIHarness.withTwoProviders { harness in
            let client = Self.client(harness)
            let loaded = try await client.events(kinds: [.pluginLoaded])
            #expect(loaded.count == 2 && loaded.allSatisfy { $0.kind == .pluginLoaded })
            let all = try await client.events()
            let afterFirst = try await client.events(after: all[0].sequence, limit: 2)
            #expect(afterFirst.map(\.sequence) == all.dropFirst().prefix(2).map(\.sequence))

            _ = try await client.invoke(.slot(Self.bench), method: "echo", payload: Array("{}".utf8))
            let metrics = try await client.metrics()
            #expect(metrics.contains(#"caphost_invocations_total{capability="adapter:bench",provider="adapter:bench:alpha",outcome="ok"}"#))
            try await client.shutdown()
        }
    }

    @Test func aWrongOrMissingTokenSaysWhereTheTokenComesFrom() async throws {
        try await AdminAPIHarness.withTwoProviders { harness in
            let wrong = HostClient(endpoint: HostEndpoint(url: harness.baseURL, token: "not-the-token", tokenSource: .environment("CAPHOST_TOKEN")))
            let refused = await #expect(throws: HostClientError.self) { try await wrong.plugins() }
            #expect(refused?.kind == .unauthorized && refused?.status == 401)
            #expect(refused?.message.hasPrefix("the host at \(harness.baseURL) refused the token from the environment variable CAPHOST_TOKEN") == true,
                    "\(String(describing: refused))")
            #expect(refused?.message.contains("api-token") == true)
            try await wrong.shutdown()

            let none = HostClient(endpoint: HostEndpoint(url: harness.baseURL, token: nil, stateDirectory: "/nowhere"))
            let missing = await #expect(throws: HostClientError.self) { try await none.capabilities() }
            #expect(missing?.message.contains("needs a bearer token and none was found") == true)
            #expect(missing?.message.contains("/nowhere/api-token was not there") == true)
            // Health needs no token.
            #expect(try await none.health())
            try await none.shutdown()
        }
    }

    @Test func followingEventsSeesLiveEventsAndReconnectsWithoutLossOrRepeats() async throws {
        try await AdminAPIHarness.withTwoProviders { harness in
            let client = Self.client(harness)
            let start = try await client.events().last?.sequence ?? 0
            // The harness sends a keep-alive every 200 ms; an idle limit of 100 ms makes
            // the client drop and re-open the stream again and again while events arrive.
            let collected = Task {
                var events: [HostEvent] = []
                for try await event in client.followEvents(after: start, idleTimeout: .milliseconds(100)) {
                    events.append(event)
                    if events.filter({ $0.kind == .swapCompleted }).count == 6 { break }
                }
                return events
            }
            for round in 0..<6 {
                try await Task.sleep(for: .milliseconds(150))
                _ = try await client.swap(Self.bench, to: round.isMultiple(of: 2) ? "beta" : "alpha")
            }
            let events = try await collected.value
            let recorded = try await client.events(after: start).prefix { $0.sequence <= (events.last?.sequence ?? 0) }
            #expect(events.map(\.sequence) == recorded.map(\.sequence), "the followed stream lost or repeated events")
            #expect(Set(events.map(\.sequence)).count == events.count)
            #expect(events.first.map { $0.sequence > start } == true)
            try await client.shutdown()
        }
    }

    @Test func followingEndsWithAnErrorWhenTheHostStopsForGood() async throws {
        try await AdminAPIHarness.withTwoProviders { harness in
            let client = Self.client(harness)
            let stream = client.followEvents(after: try await client.events().last?.sequence, reconnectAttempts: 2)
            let consumer = Task {
                var received = 0
                do {
                    for try await _ in stream { received += 1 }
                    return (received, nil as HostClientError?)
                } catch let error as HostClientError {
                    return (received, error)
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            _ = try await client.swap(Self.bench, to: "beta")
            try await Task.sleep(for: .milliseconds(200))
            // What the runtime does at shutdown: end the open event streams, then stop serving.
            harness.streams.finishAll()
            await harness.stop()
            let (received, error) = try await consumer.value
            #expect(received >= 2, "the swap's events arrived before the host stopped")
            #expect(error?.kind == .unreachable, "\(String(describing: error))")
            #expect(error?.message.contains("the event stream from \(harness.baseURL) broke and 2 reconnects failed") == true)
            try await client.shutdown()
        }
    }
}
