#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// The main test plugin: one method per behaviour of the kit under test.
final class ProbePlugin: CapabilityPlugin {
    static let manifest = PluginManifest(
        name: "probe", version: "2.3.4-beta.1+kit", vendor: "PluginKit tests", buildID: "probe-build-7",
        flags: [.threadSafe],
        capabilities: [
            Capability(
                domain: "adapter", category: "probe", provider: "kit", priority: 42, stackLevel: -3,
                description: "Exercises the kit",
                methods: [
                    CapabilityMethod(name: "echo", description: "Returns the payload", inputSchema: #"{"type":"object"}"#),
                    CapabilityMethod(name: "noop", description: "Returns nothing"),
                    CapabilityMethod(name: "fail", description: "Throws a PluginError"),
                    CapabilityMethod(name: "crash", description: "Throws a non-PluginError"),
                    CapabilityMethod(name: "deadline", description: "Reports the deadline it saw"),
                    CapabilityMethod(name: "sleep", description: "Sleeps 10 s unless cancelled"),
                    CapabilityMethod(name: "suspend", description: "Suspends, then reports its threads"),
                    CapabilityMethod(name: "compose", description: "Calls adapter:responder reverse"),
                    CapabilityMethod(name: "compose-refused", description: "Calls adapter:responder refuse"),
                    CapabilityMethod(name: "compose-slow", description: "Suspends, then calls adapter:responder slow-reverse"),
                    CapabilityMethod(name: "stray", description: "Leaves a task behind that calls the host later"),
                    CapabilityMethod(name: "store", description: "Exercises the key-value store"),
                    CapabilityMethod(name: "observe", description: "Logs and records metrics"),
                    CapabilityMethod(name: "upper", description: "Decodes {text} and upper-cases it"),
                    CapabilityMethod(name: "later", description: "Declared but not implemented"),
                ]),
            Capability(domain: "service", category: "probe", provider: "kit",
                       methods: [CapabilityMethod(name: "which", description: "Names the capability")]),
        ])

    struct Config: Decodable {
        var fail: Bool?
        var unhealthy: Bool?
    }

    struct Text: Codable {
        var text: String
    }

    /// A non-PluginError, to check it becomes CAP_INTERNAL with its description.
    struct ProbeFault: Error, CustomStringConvertible {
        var description: String { "probe fault 17" }
    }

    private let context: PluginContext
    private let unhealthy: Bool

    init(context: PluginContext) throws {
        let config = try context.decodeConfig(Config.self)
        if config.fail == true { throw PluginError.invalidArgument("config asked create to fail") }
        self.context = context
        self.unhealthy = config.unhealthy ?? false
        context.log(.info, "probe created")
    }

    func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        if request.capabilityIndex == 1 {
            return .text("\(request.capability.id) \(request.method)")
        }
        switch request.method {
        case "echo":
            return .bytes(request.payload)
        case "noop":
            return .empty
        case "fail":
            throw PluginError.permission("probe says no to \(request.text)")
        case "crash":
            throw ProbeFault()
        case "deadline":
            let remaining = request.deadline?.remaining ?? .zero
            return .text("\(request.deadline?.monotonicNanoseconds ?? 0) \(remaining > .zero)")
        case "sleep":
            try await Task.sleep(for: .seconds(10))
            return .text("woke")
        case "suspend":
            let before = pthread_self()
            try await Task.sleep(for: .milliseconds(5))
            let after = pthread_self()
            return .text("\(UInt(before)) \(UInt(after))")
        case "compose":
            return .bytes(try await context.call(target: "adapter:responder", method: "reverse", payload: request.payload))
        case "compose-slow":
            try await Task.sleep(for: .milliseconds(1))
            return .bytes(try await context.call(target: "adapter:responder", method: "slow-reverse", payload: request.payload))
        case "stray":
            let context = self.context
            Task {
                try await Task.sleep(for: .milliseconds(20))
                _ = try? await context.call(target: "adapter:responder", method: "reverse", payload: [1])
            }
            return .empty
        case "compose-refused":
            return .bytes(try await context.call(target: "adapter:responder", method: "refuse"))
        case "store":
            let store = context.keyValueStore
            let missing = try store.get("absent")
            try store.put("greeting", Array("hello".utf8))
            let found = try store.get("greeting")
            try store.delete("greeting")
            try store.delete("greeting")
            let gone = try store.get("greeting")
            return .text("\(missing == nil) \(String(decoding: found ?? [], as: UTF8.self)) \(gone == nil)")
        case "observe":
            context.log(.warning, "observed \(request.text)")
            context.metric(.counter, "probe_calls_total", labels: ["method": "observe", "shard": "2"], value: 1)
            context.metric(.histogram, "probe_seconds", value: 0.25)
            context.metric(.gauge, "probe_level", labels: [:], value: -7)
            return try .json(["offersCall": context.offers(.call), "offersStore": context.offers(.keyValueStore),
                          "offersLog": context.offers(.log)])
        case "upper":
            let input = try request.decode(Text.self)
            return try .json(Text(text: input.text.uppercased()))
        default:
            throw PluginError.unimplemented(request)
        }
    }

    func health() async throws {
        if unhealthy { throw PluginError.unavailable("probe peer is down") }
    }

    func quiesce() async {
        context.log(.debug, "probe quiesced")
    }

    func shutdown() async {
        try? await Task.sleep(for: .milliseconds(1))
        context.log(.debug, "probe shut down")
    }
}
