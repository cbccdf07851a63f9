import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// The host hands the probe child what it learned from its own copy of a plugin (the
/// digest and the `DT_NEEDED` libraries): the child then checks the file but reads none
/// of it. A malformed list is refused with what was expected.
@Suite struct ProbeKnownFactsTests {
    static let runner = FixturePlugins.buildProductsDirectory + "/caphost-runner"

    @Test func givenDigestAndLibrariesAreTakenInsteadOfReadingTheFile() throws {
        let plugin = try FixturePlugins.build("noop.c", defines: providerDefines(name: "known", provider: "known"))
        let probe = PluginProbe(runnerPath: Self.runner, timeout: .seconds(30))
        guard case .completed(let read) = probe.run(file: plugin, config: Array("{}".utf8)) else {
            Issue.record("the probe did not complete")
            return
        }
        #expect(read.error == nil && read.linksSwiftRuntime == false, "a C plugin, read: \(read)")

        // A list this C file does not hold: the child took it as given and did not read the file.
        let told = probe.run(file: plugin, config: Array("{}".utf8), digest: String(repeating: "0", count: 64),
                             neededLibraries: ["libc.so.6", "libswiftCore.so"])
        guard case .completed(let report) = told else {
            Issue.record("the probe did not complete: \(told)")
            return
        }
        #expect(report.error == nil && report.health?.healthy == true)
        #expect(report.linksSwiftRuntime == true)
    }

    @Test func aMalformedLibraryListOrOneWithoutADigestIsRefused() async throws {
        let plugin = try FixturePlugins.build("noop.c", defines: providerDefines(name: "known", provider: "known"))
        let output = try await PeerProcess.run(Self.runner, ["--probe", plugin, "--digest", String(repeating: "0", count: 64),
                                                             "--needed", "libc.so.6"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--needed: expected a JSON array of strings, found libc.so.6"), "\(output.stderr)")
        let alone = try await PeerProcess.run(Self.runner, ["--probe", plugin, "--needed", #"["libc.so.6"]"#])
        #expect(alone.status == 2)
        #expect(alone.stderr.contains("--needed is taken only with --digest"), "\(alone.stderr)")
    }
}
