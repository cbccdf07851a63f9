import CapHostCore
import CapHostWorkflows
import Logging
import Synchronization

/// The host as an MCP server (JSON-RPC 2.0, protocol revisions in
/// `MCPProtocolVersion.supported`), independent of any transport: tools
/// generated from every capability method, the host's own tools, and
/// `notifications/tools/list_changed` when loads, unloads, upgrades or swaps
/// change the tool list. `MCPStdioTransport` and `MCPHTTPEndpoint` carry it.
public final class MCPServer: Sendable {
    /// How the server presents itself and calls plugins.
    public struct Options: Sendable {
        public var serverName = "caphost"
        public var serverTitle = "caphost capability host"
        public var serverVersion = "0.1.0"
        /// Sent in the `initialize` result: how a model should use these tools.
        public var instructions: String? = """
            Tools named domain__category__method call that capability on the provider the host resolves for the \
            slot now (the description names it). caphost_* tools inspect and operate the host (explain, swap, pin, \
            drain); oneiric_* tools answer from this host's adapter registry.
            """
        /// How long a capability call may take; nil = the host's configured default.
        public var callTimeout: Duration?
        /// How long the tool list must stay quiet after a host event before
        /// clients are told it changed (a load records several events at once).
        public var listChangedDebounce: Duration = .milliseconds(50)
        /// The most messages one JSON-RPC batch may carry (members run concurrently).
        public var maximumBatchMessages = 64
        /// Where `caphost_run_workflow` records runs (the host's state database); nil records none.
        public var workflowRuns: (any WorkflowRunJournal)?
        /// Where `caphost_run_workflow` journals `durable: true` steps (the host's durable engine); nil refuses them.
        public var durableSteps: (any DurableStepCalls)?

        /// The defaults above.
        public init() {}
    }

    struct ChangeTracking {
        /// The digest clients were last told about (or that they started with).
        var announcedDigest: String?
        var settling = false
        var eventsWhileSettling = false
        var watcher: Task<Void, Never>?
    }

    public let host: CapabilityHost
    public let options: Options
    let validator: JSONSchemaValidator
    let logger: Logger
    private let catalog = Mutex<MCPToolCatalog?>(nil)
    private let sessions = Mutex<[String: MCPSession]>([:])
    let tracking = Mutex(ChangeTracking())

    /// A server over `host`. Call `start()` so clients hear `notifications/tools/list_changed`.
    public init(host: CapabilityHost, options: Options = Options(), validator: JSONSchemaValidator = .shared,
                logger: Logger = Logger(label: "caphost.mcp")) {
        self.host = host
        self.options = options
        self.validator = validator
        self.logger = logger
    }

    // MARK: - Sessions

    /// Opens a session (a transport calls this per connection, or per HTTP `initialize`).
    public func openSession() -> MCPSession {
        let session = MCPSession(server: self)
        sessions.withLock { $0[session.id] = session }
        return session
    }

    /// The open session with this id.
    public func session(id: String) -> MCPSession? { sessions.withLock { $0[id] } }

    /// Every open session.
    public var openSessions: [MCPSession] { sessions.withLock { Array($0.values) } }

    func forget(_ session: MCPSession) {
        sessions.withLock { sessions in
            if sessions[session.id] === session { sessions[session.id] = nil }
        }
    }

    // MARK: - Tools

    /// The tool list as it is now (rebuilt when the host recorded an event since the last build).
    func currentCatalog() -> MCPToolCatalog {
        if let cached = catalog.withLock({ $0 }), !cached.isStale(for: host) { return cached }
        return rebuildCatalog()
    }

    @discardableResult
    func rebuildCatalog() -> MCPToolCatalog {
        let known = catalog.withLock { $0?.eventSequence } ?? 0
        let fresh = MCPToolCatalog.build(from: host, knownSequence: known)
        catalog.withLock { current in
            if current == nil || current!.eventSequence <= fresh.eventSequence { current = fresh }
        }
        return fresh
    }

    /// The tool named `name` now. An unknown name does not force a rebuild (the
    /// catalog is already rebuilt whenever the host recorded an event), so a client
    /// guessing names costs a dictionary lookup each.
    func tool(named name: String) -> MCPTool? {
        currentCatalog().tool(named: name)
    }

    /// Every tool name now (for tests and diagnostics).
    public var toolNames: [String] { currentCatalog().tools.map(\.name) }
}
