import CapHostConfig
import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `plugins.d/<stem>.yaml`: converted to JSON for the plugin, errors with
/// file:line:col, and through the core's hook into a real host.
@Suite struct PluginConfigFileTests {
    @Test func aPluginFileBecomesJSONWithCoreSchemaTypes() throws {
        let folder = try TemporaryFolder()
        try folder.write("libx.yaml", """
        # the plugin's own settings
        country: NO
        hex: 0x1F
        octal: 0o17
        ratio: 1.5
        big: 1e3
        quoted: "42"
        empty:
        tags: [a, "b c", 3]
        nested:
          deep: {on: off, "quote\\"d": "line\\nbreak"}
        defaults: &defaults
          retries: 2
        derived:
          <<: *defaults
          timeout: 5
        """)
        let files = PluginConfigFiles(environment: [:], redactor: SecretRedactor())
        let json = try files.load(stem: "libx", directory: folder.path)
        #expect(json == #"{"country":"NO","hex":31,"octal":15,"ratio":1.5,"big":1000.0,"quoted":"42","empty":null,"tags":["a","b c",3],"nested":{"deep":{"on":"off","quote\"d":"line\nbreak"}},"defaults":{"retries":2},"derived":{"timeout":5,"retries":2}}"#)
        // The text is valid JSON that Foundation reads back.
        let object = try JSONSerialization.jsonObject(with: Data(json!.utf8)) as? [String: Any]
        #expect(object?["country"] as? String == "NO")
        #expect(try files.load(stem: "absent", directory: folder.path) == nil)
    }

    @Test func anEmptyPluginFileIsAnEmptyObjectAndYmlIsAcceptedButNotBoth() throws {
        let folder = try TemporaryFolder()
        try folder.write("liba.yml", "")
        let files = PluginConfigFiles(environment: [:], redactor: SecretRedactor())
        #expect(try files.load(stem: "liba", directory: folder.path) == "{}")
        try folder.write("liba.yaml", "a: 1\n")
        let error = #expect(throws: ConfigFileError.self) { try files.load(stem: "liba", directory: folder.path) }
        #expect(error?.description == "\(folder.path)/liba.yaml: both liba.yaml and liba.yml configure this plugin: keep one")
    }

    @Test func pluginFileErrorsNameFileLineColumnAndKey() throws {
        let folder = try TemporaryFolder()
        let redactor = SecretRedactor()
        let files = PluginConfigFiles(environment: ["SMTP_PASSWORD": "pa55-word"], redactor: redactor)
        try folder.write("libmail.yaml", "host: smtp.example.com\npassword: ${SMTP_PASSWORD}\nlogin:\n  api_key: plain-text-key\nlimit: .inf\n")
        let error = #expect(throws: ConfigFileError.self) { try files.load(stem: "libmail", directory: folder.path) }
        #expect(error?.problems.map(\.description) == [
            "\(folder.path)/libmail.yaml:4:12: login.api_key: a secret must not be written into the file: use a reference such as ${MAIL_LOGIN_API_KEY} and set MAIL_LOGIN_API_KEY in the environment",
            "\(folder.path)/libmail.yaml:5:8: limit: .inf is not a finite number: configuration numbers must be finite",
        ])
        #expect(redactor.containsSecret("pa55-word"))
        try folder.write("libmail.yaml", "- just\n- a list\n")
        let list = #expect(throws: ConfigFileError.self) { try files.load(stem: "libmail", directory: folder.path) }
        #expect(list?.description == #"\#(folder.path)/libmail.yaml:1:1: expected a mapping of the plugin's settings, found a list"#)
    }

    @Test func theHostHandsAPluginItsYAMLAndReloadsItWhenTheFileChanges() async throws {
        let redactor = SecretRedactor()
        let probeRootFolder = try TemporaryFolder("ctl")
        defer { probeRootFolder.remove() }
        let probeRoot = probeRootFolder.path
        let control = probeRoot + "/control"
        let other = probeRoot + "/other-control"
        try "0".write(toFile: control, atomically: true, encoding: .utf8)
        try "f".write(toFile: other, atomically: true, encoding: .utf8)
        try await TestHost.with({ configuration in
            configuration.pluginConfigLoader = PluginConfigFiles(environment: ["CTL_FILE": control], redactor: redactor).loader
        }) { test in
            let sidecar = test.pluginsDirectory + "/ctl.yaml"
            try "control_file: ${CTL_FILE}\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
            let report = try await test.load("controllable.c", as: "ctl.so")
            #expect(report.state == .loaded, "\(String(describing: report.error))")
            let work = CapabilityReference.slot(SlotKey(domain: "adapter", category: "work"))
            _ = try await test.host.invoker.invoke(work, method: "work", payload: [])

            // Editing ctl.yaml re-creates the instance with the new settings: its
            // control file says "fail", so the new instance is the one answering.
            try "control_file: \(other)\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
            await test.host.rescan()
            #expect(test.host.events.events(kinds: [.pluginUpgraded]).first?.reason.contains("(file or config changed)") == true)
            do throws(InvocationError) {
                _ = try await test.host.invoker.invoke(work, method: "work", payload: [])
                Issue.record("the instance created from the old ctl.yaml answered")
            } catch {
                #expect(error.message.contains("controlled failure"), "\(error)")
            }
        }
    }

    @Test func theWatcherReloadsAPluginWhenItsYAMLIsWritten() async throws {
        try await TestHost.with({ configuration in
            configuration.pluginConfigLoader = PluginConfigFiles(environment: [:], redactor: SecretRedactor()).loader
            configuration.watcher.enabled = true
            // Only inotify can notice the edit in time: the periodic rescan is an hour away.
            configuration.watcher.rescanInterval = .seconds(3600)
        }) { test in
            let control = test.root + "/control"
            let other = test.root + "/other-control"
            try "0".write(toFile: control, atomically: true, encoding: .utf8)
            try "f".write(toFile: other, atomically: true, encoding: .utf8)
            let sidecar = test.pluginsDirectory + "/ctl.yml"
            try "control_file: \(control)\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
            await test.host.start()
            try test.install("controllable.c", as: "ctl.so")
            try await eventually("ctl.so to load", timeout: .seconds(20)) { !test.host.events.events(kinds: [.pluginLoaded]).isEmpty }
            #expect(test.host.events.events(kinds: [.pluginLoaded]).count == 1)
            try "control_file: \(other)\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
            try await eventually("ctl.so to reload with its new config", timeout: .seconds(20)) {
                !test.host.events.events(kinds: [.pluginUpgraded]).isEmpty
            }
            #expect(test.host.events.events(kinds: [.pluginUpgraded]).first?.reason.contains("(file or config changed)") == true)
        }
    }

    @Test func aBadPluginFileFailsThatPluginOnlyAndKeepsTheServingVersion() async throws {
        try await TestHost.with({ configuration in
            configuration.pluginConfigLoader = PluginConfigFiles(environment: [:], redactor: SecretRedactor()).loader
        }) { test in
            let control = test.root + "/control"
            try "0".write(toFile: control, atomically: true, encoding: .utf8)
            let sidecar = test.pluginsDirectory + "/ctl.yaml"
            try "control_file: \(control)\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
            #expect(try await test.load("controllable.c", as: "ctl.so").state == .loaded)
            try "control_file: [\(control)\n".write(toFile: test.pluginsDirectory + "/broken.yaml", atomically: true, encoding: .utf8)
            let broken = try await test.load("noop.c", as: "broken.so", defines: providerDefines(name: "broken", provider: "broken"))
            #expect(broken.state == .failed)
            #expect(broken.error?.check == .config)
            #expect(broken.error?.detail == test.pluginsDirectory
                + "/broken.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 1:15)")

            // A broken edit of the serving plugin's file: the reload is refused, the old instance keeps serving.
            try "control_file: 12\nunexpected: ${NOT_SET_ANYWHERE}\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
            await test.host.rescan()
            let serving = test.host.plugins().first { $0.file.hasSuffix("/ctl.so") }
            #expect(serving?.state == .loaded)
            #expect(serving?.error?.check == .config)
            #expect(serving?.error?.detail == "\(sidecar):2:13: unexpected: environment variable NOT_SET_ANYWHERE is not set")
            let work = CapabilityReference.slot(SlotKey(domain: "adapter", category: "work"))
            _ = try await test.host.invoker.invoke(work, method: "work", payload: [])
            // Rescanning the same broken file does not retry the load again and again.
            let failures = test.host.events.events(kinds: [.pluginLoadFailed]).count
            await test.host.rescan()
            #expect(test.host.events.events(kinds: [.pluginLoadFailed]).count == failures)
        }
    }
}
