import Foundation
import Synchronization

/// Compiles the C fixture plugins (Tests/Fixtures/Plugins) with `cc`, the way a
/// third party builds a plugin, into the workspace.
struct FixtureCompiler: Sendable {
    /// One plugin to build: a fixture source, the output name and its -D macros.
    struct Build: Sendable {
        let source: String
        let output: String
        let defines: [String: String]
    }

    let repositoryRoot: String
    let outputDirectory: String

    var fixturesDirectory: String { repositoryRoot + "/Tests/Fixtures/Plugins" }
    var headerDirectory: String { repositoryRoot + "/PluginABI/include" }

    /// A string macro value (`-DCAP_PROVIDER="a"`).
    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    /// Defines for a noop.c plugin.
    static func noopDefines(name: String, provider: String, category: String = "bench") -> [String: String] {
        ["PLUGIN_NAME": quoted(name), "CAP_PROVIDER": quoted(provider), "CAP_CATEGORY": quoted(category)]
    }

    /// Builds one plugin and returns the path of the `.so`.
    func compile(_ build: Build) throws(BenchError) -> String {
        let output = "\(outputDirectory)/\(build.output)"
        var arguments = ["-std=c11", "-O2", "-shared", "-fPIC", "-pthread", "-I", headerDirectory]
        for (name, value) in build.defines.sorted(by: { $0.key < $1.key }) { arguments.append("-D\(name)=\(value)") }
        arguments += ["-o", output, "\(fixturesDirectory)/\(build.source)"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw BenchError("cannot run /usr/bin/cc: \(error)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("cc \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return output
    }

    /// Builds several plugins, as many at once as there are cores; paths in order.
    func compile(_ builds: [Build]) throws(BenchError) -> [String] {
        let outcomes = Mutex<[Int: Result<String, BenchError>]>([:])
        let next = Atomic<Int>(0)
        let workers = max(1, min(builds.count, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < builds.count else { return }
                let outcome: Result<String, BenchError>
                do throws(BenchError) {
                    outcome = .success(try compile(builds[index]))
                } catch {
                    outcome = .failure(error)
                }
                outcomes.withLock { $0[index] = outcome }
            }
        }
        let results = outcomes.withLock { $0 }
        var paths: [String] = []
        for index in builds.indices {
            switch results[index] {
            case .success(let path)?: paths.append(path)
            case .failure(let error)?: throw error
            case nil: throw BenchError("compiling \(builds[index].output) did not finish")
            }
        }
        return paths
    }
}
