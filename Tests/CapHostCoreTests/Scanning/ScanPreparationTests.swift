import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The first scan prepares files in parallel (checks, hashing, probe) and may create them side
/// by side (`ParallelCreateTests`), but registers them in file order, so resolution does not
/// depend on which probe or create finished first.
@Suite struct ScanPreparationTests {
    @Test func parallelPreparationKeepsRegistrationInFileOrder() async throws {
        let slot = SlotKey(domain: "adapter", category: "bench")
        for _ in 0..<3 {
            try await TestHost.with { test in
                // Equal rank everywhere: the newest registration wins, so the order is visible.
                for name in ["p1", "p2", "p3", "p4", "p5", "p6"] {
                    try test.install("noop.c", as: "\(name).so", defines: providerDefines(name: name, provider: name))
                }
                await test.host.start()
                #expect(test.host.plugins().filter { $0.state == .loaded }.count == 6)
                let explanation = try #require(test.host.explain(slot))
                #expect(explanation.active == "adapter:bench:p6", "\(explanation.decidedBy)")
                let registrations = explanation.candidates.sorted { $0.registration < $1.registration }.map(\.id)
                #expect(registrations == (1...6).map { "adapter:bench:p\($0)" })
            }
        }
    }

    @Test func aRescanPreparesTheChangedFilesAndLoadsTheirNewBytes() async throws {
        try await TestHost.with { test in
            try test.install("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a", version: "1.0.0"))
            try test.install("noop.c", as: "b.so", defines: providerDefines(name: "b", provider: "b"))
            await test.host.start()
            // A newer version replaces a.so; the rescan prepares it again and loads the new bytes.
            try test.install("noop.c", as: "a.so", defines: providerDefines(name: "a", provider: "a", version: "1.1.0"))
            try test.install("noop.c", as: "c.so", defines: providerDefines(name: "c", provider: "c"))
            await test.host.rescan()
            let reports = Dictionary(uniqueKeysWithValues: test.host.plugins().map { (($0.file as NSString).lastPathComponent, $0) })
            #expect(reports["a.so"]?.descriptor?.version.description == "1.1.0")
            #expect(reports["c.so"]?.state == .loaded)
        }
    }
}
