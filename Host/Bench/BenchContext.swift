import CCapHostSupport
import Foundation
import Synchronization

/// What every section gets: the options, the workspace, the fixture compiler
/// (builds cached by output name) and the overall deadline.
final class BenchContext: Sendable {
    let options: BenchOptions
    let workspace: BenchWorkspace
    let compiler: FixtureCompiler
    /// CLOCK_MONOTONIC nanoseconds after which no new work starts.
    let deadline: UInt64
    private let built = Mutex<[String: String]>([:])

    init(options: BenchOptions, workspace: BenchWorkspace) {
        self.options = options
        self.workspace = workspace
        self.compiler = FixtureCompiler(repositoryRoot: options.repositoryRoot, outputDirectory: workspace.fixturesDirectory)
        self.deadline = caphost_monotonic_ns() + UInt64(options.budgetSeconds * 1e9)
    }

    var isPastDeadline: Bool { caphost_monotonic_ns() >= deadline }

    /// Builds `source` with `defines` as `output` once per run.
    func fixture(_ source: String, as output: String, defines: [String: String] = [:]) throws(BenchError) -> String {
        if let path = built.withLock({ $0[output] }) { return path }
        let path = try compiler.compile(FixtureCompiler.Build(source: source, output: output, defines: defines))
        built.withLock { $0[output] = path }
        return path
    }

    /// The no-op plugin every dispatch figure calls: adapter:bench:noop.
    func noopPlugin() throws(BenchError) -> String {
        try fixture("noop.c", as: "noop.so", defines: FixtureCompiler.noopDefines(name: "noop", provider: "noop"))
    }

    /// A release `caphost serve` over the no-op plugin alone, in `<workspace>/<name>`, started
    /// (the caller stops it).
    func serveNoopPlugin(in name: String) async throws(BenchError) -> ServeLauncher {
        let directory = workspace.root + "/" + name
        let plugins = directory + "/plugins.d"
        try BenchWorkspace.makeDirectory(directory)
        try BenchWorkspace.makeDirectory(plugins)
        do {
            try FileManager.default.copyItem(atPath: try noopPlugin(), toPath: plugins + "/libnoop.so")
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("cannot copy the no-op plugin: \(error)")
        }
        chmod(plugins + "/libnoop.so", 0o755)
        let serve = try ServeLauncher(workspace: workspace, pluginsDirectory: plugins, stateDirectory: directory + "/state")
        try await serve.start()
        return serve
    }
}
