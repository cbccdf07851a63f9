import CapHostCore
import CapHostGRPC
import CapHostTestSupport
import Foundation
import MetricsTestKit
import Testing

/// The registry's four RPCs, called by an independent Python client generated
/// from the same .proto, against a real host with real plugins.
@Suite struct AdapterRegistryCatalogTests {
    @Test func listGetHealthAndHeartbeatAnswerFromTheHostsCatalog() async throws {
        try await RegistryFixture.with { fixture in
            let metrics = TestMetrics()
            let startedAt = Int64(Date().timeIntervalSince1970)
            try await fixture.withServer(metrics: metrics) { _, port in
                let reply = try await RegistryPeer.call(port: port, [
                    .list(),
                    .list(domain: "service"),
                    .list(category: "notifier"),
                    .list(domain: "adapter", category: "notifier"),
                    .list(project: RegistryFixture.project),
                    .list(project: "someone-else"),
                    .list(healthyOnly: true),
                    .get(RegistryFixture.alpha),
                    .get("adapter:notifier:missing"),
                    .get(""),
                    .get("not-an-id"),
                    .health(RegistryFixture.gamma),
                    .health("adapter:work:missing"),
                    .health(""),
                    .heartbeat(RegistryFixture.beta),
                    .heartbeat("adapter:notifier:missing"),
                    .heartbeat(""),
                ])
                #expect(reply.package == AdapterRegistrySettings.defaultPackage)
                let results = reply.results
                #expect(results.map(\.code) == [
                    "OK", "OK", "OK", "OK", "OK", "OK", "OK",
                    "OK", "NOT_FOUND", "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                    "OK", "NOT_FOUND", "INVALID_ARGUMENT",
                    "OK", "OK", "INVALID_ARGUMENT",
                ])

                // ListAdapters, without and with each filter.
                #expect(ids(results[0]) == RegistryFixture.allIDs)
                #expect(ids(results[1]) == [RegistryFixture.beta])
                #expect(ids(results[2]) == [RegistryFixture.alpha, RegistryFixture.beta])
                #expect(ids(results[3]) == [RegistryFixture.alpha])
                #expect(ids(results[4]) == RegistryFixture.allIDs)
                #expect(ids(results[5]) == [])
                #expect(ids(results[6]) == RegistryFixture.allIDs, "every plugin passed its health check at load")

                // Every listed entry is the catalog's entry, field for field.
                for listed in results[0].response?.adapters ?? [] {
                    let catalog = try #require(fixture.host.adapter(id: listed.adapterID))
                    #expect(listed.project == RegistryFixture.project)
                    #expect(listed.domain == catalog.domain && listed.category == catalog.category
                            && listed.provider == catalog.provider)
                    #expect(listed.capabilities == catalog.capabilities)
                    #expect(listed.factoryPath == catalog.factoryPath)
                    #expect(listed.registeredAt == catalog.registeredAt)
                    #expect(listed.healthStatus == "healthy")
                    #expect(listed.metadata["plugin"] == catalog.metadata["plugin"])
                    #expect(listed.metadata["version"] == "1.0.0")
                    #expect(listed.metadata["status"] == "active")
                }

                // GetAdapter: the whole entry of a noop fixture.
                let alpha = try #require(results[7].response?.adapter)
                #expect(alpha.adapterID == RegistryFixture.alpha)
                #expect((alpha.domain, alpha.category, alpha.provider) == ("adapter", "notifier", "alpha"))
                #expect(alpha.capabilities == ["noop", "echo", "version", "sleep"])
                #expect(alpha.factoryPath.hasSuffix("#cap_plugin_entry_v1"), "\(alpha.factoryPath)")
                #expect(alpha.healthCheckURL == "")
                #expect(alpha.metadata["vendor"] == "caphost tests")
                #expect(alpha.registeredAt >= startedAt - 5 && alpha.registeredAt <= Int64(Date().timeIntervalSince1970) + 1)
                #expect(alpha.lastHeartbeat >= alpha.registeredAt, "the load's health check counts as last seen")
                #expect(results[8].details.contains("adapter:notifier:missing"), "\(results[8].details)")
                #expect(results[9].details.contains("adapter_id is required"), "\(results[9].details)")
                #expect(results[10].details.contains("'not-an-id'") && results[10].details.contains("domain:category:provider"),
                        "\(results[10].details)")

                // HealthCheck and Heartbeat.
                #expect(results[11].response?.healthy == true)
                #expect(results[12].details.contains("adapter:work:missing"), "\(results[12].details)")
                #expect(results[13].details.contains("adapter_id"), "\(results[13].details)")
                #expect(results[14].response?.registered == true)
                #expect(results[15].response?.registered == false)
            }

            // caphost_grpc_requests_total counted every call by method and status.
            let expected: [(method: String, code: String, count: Int64)] = [
                ("ListAdapters", "OK", 7), ("GetAdapter", "OK", 1), ("GetAdapter", "NOT_FOUND", 1),
                ("GetAdapter", "INVALID_ARGUMENT", 2), ("HealthCheck", "OK", 1), ("HealthCheck", "NOT_FOUND", 1),
                ("HealthCheck", "INVALID_ARGUMENT", 1), ("Heartbeat", "OK", 2), ("Heartbeat", "INVALID_ARGUMENT", 1),
            ]
            for (method, code, count) in expected {
                let counter = try metrics.expectCounter("caphost_grpc_requests_total", [("method", method), ("code", code)])
                #expect(counter.totalValue == count, "\(method) \(code)")
            }
            #expect(metrics.counters.filter { $0.label == "caphost_grpc_requests_total" }.count == expected.count)
        }
    }

    @Test func healthCheckRunsTheProvidersCheckNowAndTheCatalogFollows() async throws {
        try await RegistryFixture.with { fixture in
            try await fixture.withServer { _, port in
                let before = try await RegistryPeer.call(port: port, [.health(RegistryFixture.flaky)])
                #expect(before.results[0].response?.healthy == true)

                // controllable.c fails its health check once its control file says 'h'.
                try fixture.failHealth()
                let after = try await RegistryPeer.call(port: port, [
                    .health(RegistryFixture.flaky),
                    .list(healthyOnly: true),
                    .list(),
                    .get(RegistryFixture.flaky),
                    .health(RegistryFixture.alpha),
                ])
                #expect(after.results.map(\.code) == ["OK", "OK", "OK", "OK", "OK"])
                #expect(after.results[0].response?.healthy == false)
                #expect(ids(after.results[1]) == RegistryFixture.allIDs.filter { $0 != RegistryFixture.flaky })
                #expect(ids(after.results[2]) == RegistryFixture.allIDs)
                #expect(after.results[3].response?.adapter?.healthStatus == "unhealthy")
                #expect(after.results[4].response?.healthy == true)
            }
            // The change of health found over gRPC is in the host's event log.
            let changes = fixture.host.events.events(kinds: [.healthChanged]).filter { $0.subject == RegistryFixture.flaky }
            #expect(changes.count == 1)
            #expect(changes.first?.reason.hasPrefix("unhealthy") == true, "\(changes)")
        }
    }

    @Test func heartbeatIsRecordedOnTheProvider() async throws {
        try await RegistryFixture.with { fixture in
            let loadedAt = try #require(fixture.host.adapter(id: RegistryFixture.gamma)).lastHeartbeat
            // Unix seconds: wait into the next second so a new heartbeat is visible.
            try await Task.sleep(for: .milliseconds(1100))
            try await fixture.withServer { _, port in
                let reply = try await RegistryPeer.call(port: port, [.heartbeat(RegistryFixture.gamma), .get(RegistryFixture.gamma)])
                #expect(reply.results[0].response?.registered == true)
                let entry = try #require(reply.results[1].response?.adapter)
                #expect(entry.lastHeartbeat > loadedAt)
            }
        }
    }

    private func ids(_ result: PeerResult) -> [String] {
        (result.response?.adapters ?? []).map(\.adapterID)
    }
}
