import Foundation

/// SPEC §7: cold start of `caphost serve` to ready (first 200 from /readyz) and
/// the host's resident memory once ready, over the plugins this package ships.
struct ColdStartBenchmark {
    struct Figure: Encodable {
        let bar = "≤ 300 ms to ready; RSS ≤ 80 MB (with the six plugins)"
        let measures: String
        let plugins: [String]
        let readyMilliseconds: SampleSummary
        let residentMegabytes: SampleSummary
        let pass: Bool
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
                          (built + "/libOneiricPlugin.so", "liboneiric.so")]
        // The outbox writes into a folder of its own here, not the bench's working directory.
        let outboxConfig = #"{"directory":"\#(directory)/outbox"}"#
        guard FileManager.default.createFile(atPath: plugins + "/liboutbox.json", contents: Data(outboxConfig.utf8)) else {
            throw BenchError("cannot write \(plugins)/liboutbox.json")
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
        var ready: [Double] = []
        var resident: [Double] = []
        for run in 0..<max(3, context.options.runs / 2) where !context.isPastDeadline {
            // A fresh state directory each run: a first start (token, database, migrations) is the cold case.
            let serve = try ServeLauncher(workspace: context.workspace, pluginsDirectory: plugins, stateDirectory: "\(directory)/state-\(run)")
            try await serve.start()
            ready.append(serve.readyMilliseconds)
            if let megabytes = serve.residentMegabytes() { resident.append(megabytes) }
            serve.stop()
        }
        let readySummary = SampleSummary(ready)
        let residentSummary = SampleSummary(resident)
        return Figure(measures: "spawn of a release caphost serve (fresh state directory, probe on) → first 200 from /readyz, polled every 1 ms; VmRSS when ready. Plugins: the \(installed.count) built of those this package ships (examples, diagram, mailgun, outbox, oneiric; crackerjack, session-buddy and unifi come with later issues)",
                      plugins: installed, readyMilliseconds: readySummary, residentMegabytes: residentSummary,
                      pass: readySummary.p50 <= 300 && residentSummary.max <= 80)
    }
}
