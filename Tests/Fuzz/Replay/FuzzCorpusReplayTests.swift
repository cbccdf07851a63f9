import CapHostFuzzTargets
import CapHostTestSupport
import Foundation
import Testing

/// Every seed under Tests/Fuzz/Corpus (or built by Tests/Fuzz/build-NAME-seeds.sh) and every
/// crash kept under Tests/Fuzz/Regressions,
/// replayed through its fuzz target without libFuzzer, by the plain build's
/// `caphost-fuzz` in a child process: an input that crashes the host again fails its
/// target's test with the child's output (which names the input and shows the trap)
/// rather than ending the whole test run.
@Suite struct FuzzCorpusReplayTests {
    static let fuzzFolder = FixturePlugins.repositoryRoot + "/Tests/Fuzz"

    @Test(arguments: FuzzTargets.all.map(\.name))
    func everyKeptInputRunsCleanly(target: String) async throws {
        var seeds = Self.inputs(in: "Corpus", target).count
        var folders = ["Corpus", "Regressions"].map { "\(Self.fuzzFolder)/\($0)/\(target)" }
            .filter { FileManager.default.fileExists(atPath: $0) }
        let builtSeeds = try TemporaryFolder("fuzz-seeds")
        defer { builtSeeds.remove() }
        let builder = "\(Self.fuzzFolder)/build-\(target)-seeds.sh"
        if FileManager.default.fileExists(atPath: builder) {
            let built = try await PeerProcess.run("/bin/bash", [builder, builtSeeds.path])
            try #require(built.status == 0, "\(builder) failed (\(built.status)):\n\(built.stderr)")
            seeds += try FileManager.default.contentsOfDirectory(atPath: builtSeeds.path).count
            folders.append(builtSeeds.path)
        }
        #expect(seeds > 0, "Tests/Fuzz/Corpus/\(target) holds no seed inputs and nothing builds any")
        let binary = FixturePlugins.buildProductsDirectory + "/caphost-fuzz"
        try #require(FileManager.default.isExecutableFile(atPath: binary),
                     "\(binary) is missing: run `swift build --build-tests` (it builds every product) before the tests")
        let run = try await PeerProcess.run(binary, [target] + folders, timeout: .seconds(600))
        guard run.status == 0 else {
            Issue.record("caphost-fuzz \(target) exited with \(run.status):\n\(run.stderr.suffix(8000))")
            return
        }
        let kept = seeds + Self.inputs(in: "Regressions", target).count
        #expect(run.stdout.contains("\(target): \(kept) inputs replayed, 0 findings"), "\(run.stdout)")
    }

    @Test func everyInputFolderNamesATarget() throws {
        let names = Set(FuzzTargets.all.map(\.name))
        for kind in ["Corpus", "Regressions"] {
            let folders = try FileManager.default.contentsOfDirectory(atPath: "\(Self.fuzzFolder)/\(kind)").filter { !$0.hasPrefix(".") }
            for folder in folders where !folder.hasSuffix(".md") {
                #expect(names.contains(folder), "Tests/Fuzz/\(kind)/\(folder) names no fuzz target (\(names.sorted().joined(separator: ", ")))")
            }
        }
    }

    /// The input files kept for `target` under `Tests/Fuzz/<kind>`.
    static func inputs(in kind: String, _ target: String) -> [String] {
        let folder = "\(fuzzFolder)/\(kind)/\(target)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }
    }
}
