import CapHostCore
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §8: nothing secret on a child's command line. The probe child gets the
/// plugin's config — `${ENV}` secrets already resolved — on a pipe, never in
/// argv or the environment, which `/proc/PID/cmdline` and `environ` show.
@Suite(.serialized) struct ProbeConfigTests {
    @Test func theConfigReachesTheProbeChildOnAPipeNotItsCommandLineOrEnvironment() async throws {
        let directoryFolder = try TemporaryFolder("probe")
        defer { directoryFolder.remove() }
        let directory = directoryFolder.path
        let plugin = try FixturePlugins.install(try FixturePlugins.build("config_echo.c"), into: directory, as: "config-echo.so")
        let secret = "s3cret-\(UUID().uuidString)"
        let hold = directory + "/release"
        let config = Array(#"{"hold":"\#(hold)","api_key":"\#(secret)"}"#.utf8)
        let probe = PluginProbe(runnerPath: FixturePlugins.buildProductsDirectory + "/caphost-runner", timeout: .seconds(60))

        let outcome = Task.detached {
            probe.run(file: plugin, config: config, invocation: ProbeInvocation(method: "config", capability: nil, payload: "{}"))
        }
        // The plugin writes its pid once it waits in health(), past exec and past reading its config.
        var pidText: String?
        for _ in 0..<6000 where pidText == nil {
            // A whole line: the pid and its newline.
            pidText = (try? String(contentsOfFile: hold + ".reached", encoding: .utf8)).flatMap { $0.hasSuffix("\n") ? String($0.dropLast()) : nil }
            if pidText == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let pid = try #require(pidText.flatMap { Int32($0) }, "the probe child never reached health()")
        let commandLine = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        let environment = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        #expect(String(decoding: commandLine, as: UTF8.self).contains("--probe"), "this is the probe child")
        #expect(!String(decoding: commandLine, as: UTF8.self).contains(secret), "the secret is not on the command line")
        #expect(!String(decoding: environment, as: UTF8.self).contains(secret), "the secret is not in the environment")
        #expect(FileManager.default.createFile(atPath: hold, contents: Data()))

        let result = await outcome.value
        guard case .completed(let report) = result else {
            Issue.record("the probe did not complete: \(result)")
            return
        }
        #expect(report.error == nil && report.health?.healthy == true)
        #expect(report.invocation?.status == "OK")
        #expect(report.invocation?.responsePreview == String(decoding: config, as: UTF8.self), "the plugin received its config byte for byte")
    }

    /// A config larger than a pipe's default 64 KiB still arrives whole.
    @Test func aLargeConfigArrivesWhole() throws {
        let plugin = try FixturePlugins.build("config_echo.c")
        let config = Array((#"{"padding":""# + String(repeating: "x", count: 200_000) + #""}"#).utf8)
        let probe = PluginProbe(runnerPath: FixturePlugins.buildProductsDirectory + "/caphost-runner", timeout: .seconds(30))
        guard case .completed(let report) = probe.run(file: plugin, config: config,
                                                      invocation: ProbeInvocation(method: "config", capability: nil, payload: "{}")) else {
            Issue.record("the probe did not complete")
            return
        }
        #expect(report.invocation?.status == "OK")
        #expect(report.invocation?.responseBytes == config.count)
    }
}
