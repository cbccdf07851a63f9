import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Manifest validation")
    struct ManifestValidationTests {
        @Test("the test plugins' manifests are valid")
        func validManifests() {
            #expect(ProbePlugin.manifest.problems == [])
            #expect(ResponderPlugin.manifest.problems == [])
        }

        @Test("each rule the host enforces is reported")
        func problems() {
            let manifest = PluginManifest(
                name: "Bad Name", version: "1.0", vendor: "x",
                capabilities: [
                    Capability(domain: "gadget", category: "ok", provider: "-dash", priority: 2000, stackLevel: -101,
                               methods: []),
                    Capability(domain: "adapter", category: "ok", provider: "p",
                               methods: [CapabilityMethod(name: "m", description: ""), CapabilityMethod(name: "m", description: "")]),
                    Capability(domain: "adapter", category: "ok", provider: "p",
                               methods: [CapabilityMethod(name: String(repeating: "a", count: 65), description: "")]),
                ])
            let problems = manifest.problems
            #expect(problems.contains("plugin name 'Bad Name' does not match ^[a-z0-9][a-z0-9_.-]*$"))
            #expect(problems.contains("version '1.0' is not MAJOR.MINOR.PATCH[-pre][+build]"))
            #expect(problems.contains { $0.hasPrefix("gadget:ok:-dash: domain 'gadget' is not one of") })
            #expect(problems.contains("gadget:ok:-dash: provider '-dash' does not match ^[a-z0-9][a-z0-9_.-]*$"))
            #expect(problems.contains("gadget:ok:-dash: priority 2000 is outside -1000...1000"))
            #expect(problems.contains("gadget:ok:-dash: stack level -101 is outside -100...100"))
            #expect(problems.contains("gadget:ok:-dash declares no method"))
            #expect(problems.contains("adapter:ok:p: method 'm' is declared twice"))
            #expect(problems.contains("adapter:ok:p is declared twice"))
            #expect(problems.contains { $0.contains("is longer than 64 bytes") })
        }
    }
}
