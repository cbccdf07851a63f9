import Foundation
import PluginKit
import SessionBuddyText
import Synchronization

/// The Session-Buddy bridge: capability `adapter:memory:session-buddy` (SPEC §6.3, REFERENCE §3).
///
/// Serves the memory contract — `store`, `search`, `stats` — from a running session-buddy over
/// MCP streamable HTTP (``MCPSessionClient``), turning the formatted text its tools answer into
/// JSON (``ReflectionText``), with the ids and tags its search texts leave out recovered from the
/// plugin's own index of what it stored (``ReflectionIndex``). When session-buddy is down every
/// call fails `CAP_UNAVAILABLE` naming its URL, and so does the health check, so the host fails
/// the `adapter:memory` slot over to `adapter:memory:local`.
public final class SessionBuddyPlugin: CapabilityPlugin {
    /// The descriptor the host reads.
    public static let manifest = PluginManifest(
        name: "session-buddy", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(domain: "adapter", category: "memory", provider: "session-buddy", priority: 50,
                       description: "Reflections in a running session-buddy (MCP streamable HTTP); adapter:memory:local is the fallback",
                       methods: SessionBuddyMethods.all),
        ])

    let context: PluginContext
    let configuration: SessionBuddyConfiguration
    let client: MCPSessionClient
    let index: ReflectionIndex
    /// Changes with every store through this instance and is added to the `limit` a search
    /// asks for: session-buddy caches search answers for 7 days keyed by (query, limit) only,
    /// so a search repeated after a store would otherwise get the answer from before the store.
    let searchSalt: Atomic<Int>

    /// Reads and checks the configuration; nothing is sent until the first call.
    public init(context: PluginContext) throws {
        self.context = context
        configuration = try SessionBuddyConfiguration(context.decodeConfig(SessionBuddyConfiguration.Document.self))
        client = MCPSessionClient(configuration: configuration, context: context)
        index = ReflectionIndex(capacity: configuration.indexCapacity, context: context)
        searchSalt = Atomic(Int.random(in: 0..<Self.saltRange))
        context.log(.info, "session-buddy: MCP endpoint \(configuration.url), health \(configuration.healthURL), request timeout \(MCPSessionClient.seconds(configuration.requestTimeout)) s, at most \(configuration.maxAttempts) attempts")
    }

    /// Serves `store`, `search` and `stats`.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        let started = ContinuousClock.now
        do {
            let answer: [String: Any] = switch request.method {
            case "store": try await store(MemoryInput.store(request.payload), deadline: callDeadline(request))
            case "search": try await search(MemoryInput.search(request.payload), deadline: callDeadline(request))
            case "stats": try await stats(project: MemoryInput.stats(request.payload), deadline: callDeadline(request))
            default: throw PluginError.unimplemented(request)
            }
            record(request.method, outcome: "ok", since: started)
            return .bytes(try Self.json(answer))
        } catch let error as PluginError {
            record(request.method, outcome: "\(error.status)", since: started)
            if error.status == .unavailable || error.status == .internal {
                context.log(.warning, "session-buddy: \(request.method) failed: \(error.message)")
            }
            throw error
        }
    }

    /// Healthy when session-buddy's health route answers 200; otherwise the reason, naming the URL.
    public func health() async throws {
        do {
            let (status, body) = try await client.probeHealth()
            guard status == 200 else {
                context.metric(.gauge, "session_buddy_reachable", value: 0)
                throw PluginError.unavailable("session-buddy at \(configuration.healthURL) answered HTTP \(status): \(MCPFailure.quote(body))")
            }
            context.metric(.gauge, "session_buddy_reachable", value: 1)
        } catch let failure as MCPFailure {
            context.metric(.gauge, "session_buddy_reachable", value: 0)
            throw PluginError.unavailable("session-buddy at \(configuration.healthURL) does not answer: \(failure.pluginError(url: configuration.healthURL).message)")
        }
    }

    /// Deletes the MCP session and stops the HTTP client.
    public func shutdown() async {
        await client.shutdown()
    }

    // MARK: - Helpers

    static let saltRange = 8

    /// When the call gives up: its deadline, or `call_timeout` from now when it has none. Each
    /// request inside it is bounded by `timeout` as well.
    func callDeadline(_ request: PluginRequest) -> ContinuousClock.Instant {
        ContinuousClock.now + (request.deadline?.remaining ?? configuration.callTimeout)
    }

    /// Calls `tool` and returns its text, the failure turned into the call's error.
    func text(_ tool: String, _ arguments: [String: Any], deadline: ContinuousClock.Instant) async throws(PluginError) -> String {
        do {
            return try await client.callTool(tool, arguments, deadline: deadline).text(of: tool)
        } catch {
            throw error.pluginError(url: configuration.url)
        }
    }

    /// A text that could not be read, as the call's error.
    func readError(_ error: ReflectionTextError) -> PluginError {
        switch error {
        case .rejected: .invalidArgument(error.description)
        case .unavailable: .unavailable("session-buddy at \(configuration.url): \(error.description)")
        case .failed, .unexpected: .internal("session-buddy at \(configuration.url): \(error.description)")
        }
    }

    private func record(_ method: String, outcome: String, since started: ContinuousClock.Instant) {
        context.metric(.counter, "session_buddy_calls_total", labels: ["method": method, "outcome": outcome], value: 1)
        context.metric(.histogram, "session_buddy_call_duration_seconds", labels: ["method": method],
                       value: MCPSessionClient.seconds(ContinuousClock.now - started))
    }

    static func json(_ object: [String: Any]) throws(PluginError) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            throw .internal("could not encode the answer as JSON: \(error)")
        }
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: SessionBuddyPlugin.self) }
