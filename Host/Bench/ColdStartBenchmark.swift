import Foundation

/// SPEC §7: cold start of `caphost serve` to ready (first 200 from /readyz) and
/// the host's resident memory once ready, over the plugins this package ships.
struct ColdStartBenchmark {
    struct Figure: Encodable {
        let bar = "≤ 200 ms to ready; RSS ≤ 80 MB (with every plugin this package ships)"
        let measures: String
        let plugins: [String]
        /// A first start: fresh state directory (token, database, migrations, image copies, probes).
        let firstStart: Start
        /// A start on the state the first one left: unchanged plugins are neither read nor probed again.
        let restart: Start
        /// The first start's figures meet the bar too.
        let firstStartPass: Bool
        /// The restart's figures meet the bar.
        let pass: Bool
    }

    struct Start: Encodable {
        let readyMilliseconds: SampleSummary
        let residentMegabytes: SampleSummary
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let directory = context.workspace.root + "/cold"
        try BenchWorkspace.makeDirectory(directory)
        let plugins = directory + "/plugins.d"
        try BenchWorkspace.makeDirectory(plugins)
        var installed: [String] = []
        let echoC = try context.compiler.compile(FixtureCompiler.Build(source: "../../../Plugins/Examples/EchoC/echo_plugin.c",
                                                                      output: "libecho_c.so", defines: [:]))
        let built = context.workspace.buildProductsDirectory
        let candidates = [(echoC, "libecho_c.so"), (built + "/libEchoSwiftPlugin.so", "libecho_swift.so"),
                          (built + "/libDiagramPlugin.so", "libdiagram.so"), (built + "/libMailgunPlugin.so", "libmailgun.so"),
                          (built + "/libOutboxPlugin.so", "liboutbox.so"),
                          (built + "/libOneiricPlugin.so", "liboneiric.so"),
                          (built + "/libLocalMemoryPlugin.so", "liblocal_memory.so"), (built + "/libQualityLoopPlugin.so", "libquality_loop.so"),
                          (built + "/libSessionBuddyPlugin.so", "libsession_buddy.so"), (built + "/libCrackerjackPlugin.so", "libcrackerjack.so"),
                          (built + "/libUniFiPlugin.so", "libunifi.so")]
        // The outbox and the local memory write into this folder, not the bench's working directory.
        for (name, config) in [("liboutbox", #"{"directory":"\#(directory)/outbox"}"#),
                               ("liblocal_memory", #"{"path":"\#(directory)/memory.sqlite"}"#)] {
            guard FileManager.default.createFile(atPath: plugins + "/\(name).json", contents: Data(config.utf8)) else {
                throw BenchError("cannot write \(plugins)/\(name).json")
            }
        }
        for (file, name) in candidates where FileManager.default.fileExists(atPath: file) {
            do {
                try FileManager.default.copyItem(atPath: file, toPath: "\(plugins)/\(name)")
            } catch {
                throw BenchError("cannot copy \(file): \(error)")
            }
            chmod("\(plugins)/\(name)", 0o755)
            installed.append(name)
        }
        var first = (ready: [Double](), resident: [Double]())
        var again = (ready: [Double](), resident: [Double]())
        for run in 0..<max(3, context.options.runs / 2) where !context.isPastDeadline {
            // A fresh state directory each run: a first start (token, database, migrations) is the cold case.
            let state = "\(directory)/state-\(run)"
            for restart in [false, true] {
                let serve = try ServeLauncher(workspace: context.workspace, pluginsDirectory: plugins, stateDirectory: state)
                try await serve.start()
                if restart { again.ready.append(serve.readyMilliseconds) } else { first.ready.append(serve.readyMilliseconds) }
                if let megabytes = serve.residentMegabytes() {
                    if restart { again.resident.append(megabytes) } else { first.resident.append(megabytes) }
                }
                serve.stop()
            }
        }
        let firstStart = Start(readyMilliseconds: SampleSummary(first.ready), residentMegabytes: SampleSummary(first.resident))
        let restart = Start(readyMilliseconds: SampleSummary(again.ready), residentMegabytes: SampleSummary(again.resident))
        func passes(_ start: Start) -> Bool { start.readyMilliseconds.p50 <= 200 && start.residentMegabytes.max <= 80 }
        return Figure(measures: "spawn of a release caphost serve (probe on) → first 200 from /readyz, polled every 1 ms; VmRSS when ready; first on a fresh state directory, then again on the state it left. Plugins: the \(installed.count) built of those this package ships, as serve.sh installs them (examples, diagram, mailgun, outbox, oneiric, local memory, quality loop, session-buddy, crackerjack and unifi; mailgun, session-buddy, crackerjack and unifi unconfigured, so they do not load)",
                      plugins: installed, firstStart: firstStart, restart: restart,
                      firstStartPass: passes(firstStart), pass: passes(restart))
    }
}
