import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// ABI 1.4 `CAP_PLUGIN_PARALLEL_CREATE`: at a start or rescan the host creates flagged plugins
/// side by side, creates any other plugin alone, and still registers in file order. The
/// `create_rendezvous.c` fixture proves each from inside `create` through marker files. The
/// probe is off here: it creates each plugin alone in a child process, where no peer appears.
@Suite struct ParallelCreateTests {
    /// Defines for `create_rendezvous.c`.
    static func rendezvous(_ markers: String, _ name: String, peer: String? = nil, alone: Bool = false,
                           holdMilliseconds: Int = 0, provider: String? = nil, parallel: Bool = true) -> [String: String] {
        var defines = ["RENDEZVOUS_DIR": "\"\(markers)\"", "SELF": "\"\(name)\"",
                       "ALONE": alone ? "1" : "0", "HOLD_MS": "\(holdMilliseconds)",
                       "PLUGIN_FLAGS": parallel ? "CAP_PLUGIN_PARALLEL_CREATE" : "0"]
        if let peer { defines["PEER"] = "\"\(peer)\"" }
        if let provider { defines["CAP_PROVIDER"] = "\"\(provider)\"" }
        return defines
    }

    static func reports(_ test: TestHost) -> [String: PluginReport] {
        Dictionary(uniqueKeysWithValues: test.host.plugins().map { (($0.file as NSString).lastPathComponent, $0) })
    }

    @Test func flaggedPluginsAreCreatedSideBySide() async throws {
        try await TestHost.with({ $0.probe.enabled = false }) { test in
            let markers = try test.folder.folder("markers")
            try test.install("create_rendezvous.c", as: "a.so", defines: Self.rendezvous(markers, "a", peer: "b"))
            try test.install("create_rendezvous.c", as: "b.so", defines: Self.rendezvous(markers, "b", peer: "a"))
            await test.host.start()
            let reports = Self.reports(test)
            // Each create waits for the other's to begin: one after the other, neither would load.
            #expect(reports["a.so"]?.state == .loaded, "\(reports["a.so"]?.error?.description ?? "")")
            #expect(reports["b.so"]?.state == .loaded, "\(reports["b.so"]?.error?.description ?? "")")
            #expect(reports["a.so"]?.descriptor?.flags.names == ["PARALLEL_CREATE"])
        }
    }

    @Test func anUnflaggedPluginIsCreatedWhileNoOtherCreateRuns() async throws {
        try await TestHost.with({ $0.probe.enabled = false }) { test in
            let markers = try test.folder.folder("markers")
            for name in ["a1", "a2", "c1", "c2"] {
                try test.install("create_rendezvous.c", as: "\(name).so", defines: Self.rendezvous(markers, name, holdMilliseconds: 300))
            }
            // b.so sits between the flagged ones in file order; its create fails if it sees
            // another plugin's create under way when it starts or 150 ms later.
            try test.install("create_rendezvous.c", as: "b.so",
                             defines: Self.rendezvous(markers, "b", alone: true, holdMilliseconds: 150, parallel: false))
            await test.host.start()
            let reports = Self.reports(test)
            for name in ["a1", "a2", "b", "c1", "c2"] {
                #expect(reports["\(name).so"]?.state == .loaded, "\(name).so: \(reports["\(name).so"]?.error?.description ?? "")")
            }
        }
    }

    @Test func aConflictBetweenCreatesThatOverlappedIsDecidedInFileOrder() async throws {
        try await TestHost.with({ $0.probe.enabled = false }) { test in
            let markers = try test.folder.folder("markers")
            // Same capability, same version: whichever registers second is refused. Both are
            // created (each waits for the other), so the rule is applied again at registration.
            try test.install("create_rendezvous.c", as: "a.so", defines: Self.rendezvous(markers, "a", peer: "b", provider: "shared"))
            try test.install("create_rendezvous.c", as: "b.so", defines: Self.rendezvous(markers, "b", peer: "a", provider: "shared"))
            await test.host.start()
            let reports = Self.reports(test)
            #expect(reports["a.so"]?.state == .loaded, "\(reports["a.so"]?.error?.description ?? "")")
            let refused = try #require(reports["b.so"])
            #expect(refused.state == .failed)
            #expect(refused.error?.check == .conflict)
            #expect(refused.error?.detail.contains("adapter:rendezvous:shared is already provided by rendezvous-a 1.0.0") == true,
                    "\(refused.error?.detail ?? "")")
            let slot = try #require(test.host.explain(SlotKey(domain: "adapter", category: "rendezvous")))
            #expect(slot.active == "adapter:rendezvous:shared")
            #expect(slot.candidates.count == 1)
        }
    }
}
