import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `caphost check` and `caphost new-plugin`, run as the built executable.
@Suite(.serialized) struct CheckCommandTests {
    struct Run {
        let status: Int32
        let output: String
    }

    func caphost(_ arguments: [String], in directory: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FixturePlugins.buildProductsDirectory + "/caphost")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }


    @Test func theCExamplePassesWithAnInvocation() throws {
        let scratch = try TemporaryFolder("check")
        defer { scratch.remove() }
        let directory = scratch.path
        let library = directory + "/libecho_c.so"
        try FixturePlugins.run("/usr/bin/cc", ["-std=c11", "-O2", "-shared", "-fPIC", "-I", FixturePlugins.headerDirectory,
                                               "-o", library, FixturePlugins.repositoryRoot + "/Plugins/Examples/EchoC/echo_plugin.c"])
        let run = try caphost(["check", library, "--invoke", "reverse", "--payload", "hello"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("✓ descriptor  echo-c 1.0.0 by caphost examples, ABI 1.4, 176-byte struct, flags [THREAD_SAFE, UNLOADABLE, PARALLEL_CREATE]"))
        #expect(run.output.contains("✓ invoke      adapter:echo:c reverse → OK, 5 bytes"))
        #expect(run.output.contains(": olleh"))
        #expect(run.output.contains("✓ destroy     OK; no threads left running"))
        #expect(run.output.hasSuffix("PASS\n"))
    }

    static let failures: [(fixture: String, arguments: [String], expected: String)] = [
        ("bad_magic.c", [], "FAIL: descriptor: magic is 0xDEADBEEF"),
        ("abi_major_mismatch.c", [], "FAIL: descriptor: abi_major is 2"),
        ("oversized_struct.c", [], "FAIL: descriptor: struct_size is 240 bytes"),
        ("null_invoke.c", [], "FAIL: descriptor: required function invoke is NULL"),
        ("no_entry.c", [], "FAIL: entry: missing entry symbol cap_plugin_entry_v1"),
        ("invalid_utf8_name.c", [], "FAIL: descriptor: capabilities[0].provider is not valid UTF-8"),
        ("bad_name.c", [], "FAIL: descriptor: capabilities[0].category 'Bad Category!'"),
        ("duplicate_provider.c", [], "FAIL: descriptor: duplicate provider"),
        ("create_fails.c", [], "FAIL: create: create() returned INVALID_ARGUMENT: config key 'api_key' is required"),
        ("create_crash.c", [], "FAIL: create: crashed with SIGSEGV during create"),
        ("create_hang.c", ["--timeout", "1"], "FAIL: create: did not finish create within 1.0 seconds; killed"),
        ("health_fails.c", [], "FAIL: health: UNAVAILABLE: upstream unreachable"),
        ("garbage_status.c", ["--invoke", "bad"], "FAIL: invoke: adapter:hostile:garbage-status bad → INTERNAL (unknown status 4242)"),
        ("huge_response.c", ["--invoke", "huge"], "✓ invoke      adapter:hostile:huge-response huge → OK, 33554432 bytes"),
        ("invoke_hang.c", ["--invoke", "hang", "--timeout", "1"], "FAIL: invoke: did not finish invoke within 1.0 seconds; killed"),
        ("invoke_crash.c", ["--invoke", "crash"], "FAIL: invoke: crashed with SIGSEGV during invoke"),
        ("thread_left.c", [], "FAIL: destroy: 1 thread(s) still running 200 ms after destroy"),
    ]

    @Test(arguments: 0..<failures.count)
    func eachHostileFixtureFailsWithItsReason(_ index: Int) throws {
        let (fixture, arguments, expected) = Self.failures[index]
        let library = try FixturePlugins.build(fixture)
        let run = try caphost(["check", library] + arguments)
        #expect(run.output.contains(expected), "\(fixture): \(run.output)")
        if fixture != "huge_response.c" { #expect(run.status == 1, "\(fixture) exit status") }
    }

    /// NIO shuts its event loops down through libdispatch, whose pooled workers
    /// linger idle for a few seconds: they are not threads the plugin left running.
    @Test func aPluginEmbeddingNIOIsNotBlamedForLibdispatchWorkers() throws {
        let run = try caphost(["check", FixturePlugins.buildProductsDirectory + "/libNIOLoopbackPlugin.so"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("✓ destroy     OK; no threads left running"))
    }

    @Test func jsonReportIsMachineReadable() throws {
        let run = try caphost(["check", try FixturePlugins.build("noop.c"), "--json"])
        #expect(run.status == 0)
        let report = try JSONDecoder().decode(ConformanceReport.self, from: Data(run.output.utf8))
        #expect(report.passed)
        #expect(report.descriptor?.capabilities.first?.id.description == "adapter:bench:noop")
    }

    @Test func theCScaffoldBuildsAndPassesCheck() throws {
        let scratch = try TemporaryFolder("check")
        defer { scratch.remove() }
        let directory = scratch.path
        let created = try caphost(["new-plugin", "hello-world", "--lang", "c", "--output", directory + "/hello",
                                   "--caphost-root", FixturePlugins.repositoryRoot])
        #expect(created.status == 0, "\(created.output)")
        try FixturePlugins.run("/usr/bin/make", ["-s", "-C", directory + "/hello"])
        let check = try caphost(["check", directory + "/hello/libhello_world.so", "--invoke", "hello"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains(#"adapter:example:hello-world hello → OK, 20 bytes"#))
        let again = try caphost(["new-plugin", "hello-world", "--lang", "c", "--output", directory + "/hello"])
        #expect(again.status != 0)
        #expect(again.output.contains("already exists"))
        let bad = try caphost(["new-plugin", "Hello World", "--lang", "c"])
        #expect(bad.output.contains("must match ^[a-z0-9][a-z0-9_.-]*$"))
    }

    /// Builds a separate SwiftPM package against this checkout's PluginKit (about a minute).
    @Test func theSwiftScaffoldBuildsAndPassesCheck() throws {
        let scratch = try TemporaryFolder("check")
        defer { scratch.remove() }
        let directory = scratch.path
        let created = try caphost(["new-plugin", "greeter", "--lang", "swift", "--output", directory + "/greeter",
                                   "--caphost-root", FixturePlugins.repositoryRoot])
        #expect(created.status == 0, "\(created.output)")
        try FixturePlugins.run("/usr/bin/env", ["swift", "build", "--package-path", directory + "/greeter",
                                                "--scratch-path", directory + "/greeter/.build", "--product", "Greeter"])
        let check = try caphost(["check", directory + "/greeter/.build/debug/libGreeter.so", "--invoke", "hello"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("adapter:example:greeter hello → OK"))
        #expect(check.output.contains("note: links libswiftCore.so"))
    }
}
