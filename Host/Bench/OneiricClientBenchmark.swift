import CapHostCore
import CCapHostSupport
import Foundation

/// The Oneiric client plugin (`adapter:registry:oneiric`) through the host:
/// `list_adapters` answered from its cache, uncached over loopback gRPC (a release
/// `caphost serve`'s own AdapterRegistry), and uncached over MCP to the real
/// `oneiric mcp` 0.33.3 (in the Python 3.14 sandbox), next to Oneiric's own time
/// for the same list measured in Python in the same run.
struct OneiricClientBenchmark {
    static let listPayload = Array(#"{}"#.utf8)
    static let slot = SlotKey(domain: "adapter", category: "registry")

    struct Figure: Encodable {
        let bar = "cached list_adapters through the host: median ≤ 5 µs; uncached over loopback gRPC: median ≤ 2 ms"
        let measures: String
        /// Records each list returns.
        let adapters: Int
        /// Invoker.invoke on the host's thread, answered from the plugin's cache (ns per call).
        let cachedThroughHost: CallTiming
        /// One uncached list over loopback gRPC per call, microseconds.
        let uncachedGRPCMicroseconds: SampleSummary
        /// One uncached list over MCP streamable HTTP to the real Oneiric, microseconds.
        let uncachedMCPMicroseconds: SampleSummary?
        /// Oneiric's own numbers for the same list, measured in Python in the same run.
        let oneiricPython: OneiricPythonTiming?
        /// Why the MCP part did not run, when it did not.
        let mcpError: String?
        let pass: Bool
    }

    /// A `list_adapters` call with a payload, checking an answer came back.
    struct ListCall: CallTarget, @unchecked Sendable {
        let host: HostCall
        let payload: UnsafeRawBufferPointer

        func call() -> Bool {
            do {
                return try host.invoker.invoke(host.site, payload: payload, deadlineNanoseconds: caphost_monotonic_ns() &+ 5_000_000_000) {
                    $0.count > 2
                }
            } catch {
                return false
            }
        }

        /// The answer as JSON (for the checks before timing).
        func answer() throws(BenchError) -> [String: Any] {
            do {
                let bytes = try host.invoker.invoke(host.site, payload: payload,
                                                    deadlineNanoseconds: caphost_monotonic_ns() &+ 10_000_000_000) { Array($0) }
                guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                    throw BenchError("list_adapters answered with something that is not a JSON object: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
                }
                return object
            } catch let error as BenchError {
                throw error
            } catch {
                throw BenchError("list_adapters failed: \(error)")
            }
        }
    }

    static func run(_ context: BenchContext) async throws(BenchError) -> Figure {
        let plugin = context.workspace.buildProductsDirectory + "/libOneiricPlugin.so"
        guard FileManager.default.fileExists(atPath: plugin) else {
            throw BenchError("\(plugin) not found; build it with swift build -c release --product OneiricPlugin (same scratch path as the bench)")
        }
        // The registry: a release caphost serve with a few plugins, its gRPC AdapterRegistry on an ephemeral port.
        let directory = context.workspace.root + "/oneiric"
        try BenchWorkspace.makeDirectory(directory)
        let served = directory + "/served.d"
        try BenchWorkspace.makeDirectory(served)
        let built = context.workspace.buildProductsDirectory
        for (file, name) in [(try context.noopPlugin(), "libnoop.so"), (built + "/libEchoSwiftPlugin.so", "libecho_swift.so"),
                             (built + "/libDiagramPlugin.so", "libdiagram.so")] where FileManager.default.fileExists(atPath: file) {
            try? FileManager.default.copyItem(atPath: file, toPath: "\(served)/\(name)")
            chmod("\(served)/\(name)", 0o755)
        }
        let serve = try ServeLauncher(workspace: context.workspace, pluginsDirectory: served, stateDirectory: directory + "/state")
        try await serve.start()
        defer { serve.stop() }
        guard !serve.grpcAddress.isEmpty else { throw BenchError("caphost serve did not report a gRPC address in server.json") }

        func grpcConfig(ttl: Int) -> String {
            #"{"transport":"grpc","grpc":{"address":"\#(serve.grpcAddress)","token":"\#(serve.token)"},"cache_ttl":\#(ttl)}"#
        }
        let (cached, adapters) = try await context.workspace.withHost(named: "oneiric-cached",
                                                                      pluginConfigs: ["liboneiric": grpcConfig(ttl: 300)]) {
            bench throws(BenchError) -> (CallTiming, Int) in
            try await bench.load(plugin, as: "liboneiric.so")
            return try await withListCall(bench) { list throws(BenchError) in
                let first = try list.answer()
                let adapters = (first["adapters"] as? [Any])?.count ?? 0
                let again = try list.answer()
                guard again["source"] as? String == "cache" else {
                    throw BenchError("a second list_adapters within the TTL did not come from the cache: source \(again["source"] ?? "absent")")
                }
                let timing = await PlainThread.run(name: "bench-oneiric") {
                    CallTiming.measure(list, runs: context.options.runs, callsPerRun: 20_000)
                }
                return (timing, adapters)
            }
        }
        let grpc = try await context.workspace.withHost(named: "oneiric-grpc", pluginConfigs: ["liboneiric": grpcConfig(ttl: 0)]) {
            bench throws(BenchError) -> SampleSummary in
            try await bench.load(plugin, as: "liboneiric.so")
            return try await withListCall(bench) { list throws(BenchError) in
                let answer = try list.answer()
                guard answer["source"] as? String == "remote" else {
                    throw BenchError("an uncached list_adapters did not come from the registry: source \(answer["source"] ?? "absent")")
                }
                return await timeEachCall(list, calls: 500)
            }
        }

        var mcp: SampleSummary?
        var python: OneiricPythonTiming?
        var mcpError: String?
        do throws(BenchError) {
            (mcp, python) = try await measureMCP(context, plugin: plugin, directory: directory)
        } catch {
            mcpError = error.description
        }
        return Figure(
            measures: """
                list_adapters {} through Invoker.invoke on the host's thread (liboneiric.so, release): cached = answered \
                from the plugin's TTL cache; uncached gRPC = cache_ttl 0 against a release caphost serve's own \
                AdapterRegistry on loopback (\(adapters) adapters); uncached MCP = cache_ttl 0 against the real oneiric mcp \
                0.33.3 in the Python 3.14 sandbox holding the same records; oneiric_python = Oneiric's registry listing \
                in-process and an MCP tools/call round trip from Python, same server, same run
                """,
            adapters: adapters, cachedThroughHost: cached, uncachedGRPCMicroseconds: grpc,
            uncachedMCPMicroseconds: mcp, oneiricPython: python, mcpError: mcpError,
            pass: cached.medianCallNanoseconds <= 5_000 && grpc.p50 <= 2_000)
    }

    /// Runs `body` with a `list_adapters` call on the registry slot of `bench`.
    static func withListCall<T>(_ bench: BenchHost, _ body: (ListCall) async throws(BenchError) -> T) async throws(BenchError) -> T {
        let host = try HostCall(bench, slot: slot, method: "list_adapters")
        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: listPayload.count, alignment: 8)
        defer { payload.deallocate() }
        payload.copyBytes(from: listPayload)
        return try await body(ListCall(host: host, payload: UnsafeRawBufferPointer(payload)))
    }

    /// Each call timed on its own (network round trips), in microseconds.
    static func timeEachCall(_ list: ListCall, calls: Int) async -> SampleSummary {
        await PlainThread.run(name: "bench-oneiric-net") {
            var samples: [Double] = []
            samples.reserveCapacity(calls)
            for _ in 0..<calls {
                let started = caphost_monotonic_ns()
                guard list.call() else { continue }
                samples.append(Double(caphost_monotonic_ns() - started) / 1_000)
            }
            return SampleSummary(samples, decimals: 1)
        }
    }

    /// The MCP figures: the real Oneiric in the sandbox, loaded with the same records the gRPC
    /// registry listed (announced by a host that serves the same plugins), then listed uncached.
    static func measureMCP(_ context: BenchContext, plugin: String,
                           directory: String) async throws(BenchError) -> (SampleSummary, OneiricPythonTiming) {
        let oneiric = try await OneiricLauncher.start(repositoryRoot: context.options.repositoryRoot,
                                                      home: directory + "/oneiric-home")
        defer { oneiric.stop() }
        let config = #"{"transport":"mcp","mcp":{"url":"\#(oneiric.url)"},"cache_ttl":0,"announce":{"enabled":true}}"#
        let mcp = try await context.workspace.withHost(named: "oneiric-mcp", pluginConfigs: ["liboneiric": config]) {
            bench throws(BenchError) -> SampleSummary in
            for name in ["libEchoSwiftPlugin.so", "libDiagramPlugin.so"] {
                let file = context.workspace.buildProductsDirectory + "/" + name
                if FileManager.default.fileExists(atPath: file) { try await bench.load(file, as: name) }
            }
            try await bench.load(plugin, as: "liboneiric.so")
            return try await withListCall(bench) { list throws(BenchError) in
                // Announcing runs in the background: wait until Oneiric lists what this host serves.
                let deadline = ContinuousClock.now + .seconds(30)
                while ((try? list.answer())?["adapters"] as? [Any])?.count ?? 0 < 2 {
                    guard ContinuousClock.now < deadline else {
                        throw BenchError("the host's slots did not appear in Oneiric within 30 s of loading liboneiric.so")
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
                return await timeEachCall(list, calls: 200)
            }
        }
        let python = try await oneiric.pythonTiming(repeat: 200)
        return (mcp, python)
    }
}
