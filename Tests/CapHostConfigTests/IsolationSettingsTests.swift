import CapHostConfig
import CapHostCore
import Foundation
import Testing

/// `isolation:` in caphost.yaml: modes per plugin, limits, restarts, and clear refusals.
@Suite struct IsolationSettingsTests {
    private func parse(_ yaml: String) throws(ConfigFileError) -> IsolationSettings {
        try CapHostSettingsLoader.parse(yaml: yaml, file: "caphost.yaml", baseDirectory: "/tmp", environment: [:]).host.isolation
    }

    @Test func everyKeyIsRead() throws {
        let isolation = try parse("""
        isolation:
          default: process
          plugins:
            libfoo: in-process
            libbar: {mode: process, memory: 512MiB, cpu_seconds: 600, open_files: 256}
            libbaz: {cpu_seconds: 5}
          limits: {memory: 1GiB, cpu_seconds: 0, open_files: 1024}
          restart: {initial_back_off: 50ms, maximum_back_off: 5s, quarantine_after: 3, window: 2m}
          after_host_crash: refuse
          start_timeout: 3s
        """)
        #expect(isolation.defaultMode == .process)
        #expect(isolation.mode(forStem: "libfoo") == .inProcess)
        #expect(isolation.mode(forStem: "libbar") == .process)
        #expect(isolation.mode(forStem: "libother") == .process)
        #expect(isolation.limits(forStem: "libbar") == IsolationSettings.Limits(memoryBytes: 512 << 20, cpuSeconds: 600, openFiles: 256))
        // A plugin's own limits start from the defaults.
        #expect(isolation.limits(forStem: "libbaz") == IsolationSettings.Limits(memoryBytes: 1 << 30, cpuSeconds: 5, openFiles: 1024))
        #expect(isolation.limits(forStem: "libother") == IsolationSettings.Limits(memoryBytes: 1 << 30, cpuSeconds: 0, openFiles: 1024))
        #expect(isolation.restart.initialBackOff == .milliseconds(50))
        #expect(isolation.restart.maximumBackOff == .seconds(5))
        #expect(isolation.restart.quarantineAfter == 3)
        #expect(isolation.restart.window == .seconds(120))
        #expect(isolation.afterHostCrash == .refuse)
        #expect(isolation.startTimeout == .seconds(3))
    }

    @Test func theDefaultsKeepPluginsInProcess() throws {
        let isolation = try parse("project: x\n")
        #expect(isolation.defaultMode == .inProcess)
        #expect(isolation.afterHostCrash == .process)
        #expect(isolation.restart.quarantineAfter == 5)
    }

    @Test func badValuesAreRefusedWithWhereAndWhy() throws {
        let cases: [(yaml: String, says: String)] = [
            ("isolation:\n  default: sandbox\n", "caphost.yaml:2:12: isolation.default: expected one of in-process, process"),
            ("isolation:\n  plugins:\n    libfoo: isolated\n", "isolation.plugins.libfoo: expected one of in-process, process"),
            ("isolation:\n  plugins:\n    libfoo: {mode: process, memroy: 1GiB}\n", #"isolation.plugins.libfoo.memroy: unknown key "memroy"; did you mean "memory"?"#),
            ("isolation:\n  limits: {memory: 1MiB}\n", "isolation.limits.memory: expected 0 (no limit) or at least 64MiB"),
            ("isolation:\n  plugins: [libfoo]\n", "isolation.plugins: expected a mapping of plugin file stems"),
            ("isolation:\n  after_host_crash: ignore\n", "isolation.after_host_crash: expected one of process, refuse"),
            ("isolation:\n  restart: {quarantine_after: 0}\n", "isolation.restart.quarantine_after: expected an integer"),
        ]
        for entry in cases {
            do throws(ConfigFileError) {
                _ = try parse(entry.yaml)
                Issue.record("accepted: \(entry.yaml)")
            } catch {
                #expect(error.description.contains(entry.says), "\(error.description)")
            }
        }
    }
}
