import CapHostCore
import CapHostGRPC
import CapHostMCP
import CapHostState
import CapHostWorkflows
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A host as `caphost serve` runs it: the core over plugins.d, its SQLite state
/// (kv, events, pins, scores, the durable journal), the admin API and what is
/// served beside it, under one service group. SIGTERM/SIGINT stop accepting
/// requests, end event streams, drain in-flight calls, stop the durable engine
/// and flush the state.
public final class HostRuntime: Sendable {
    public let settings: RuntimeSettings
    public let host: CapabilityHost
    public let database: StateDatabase
    public let token: APIToken
    public let deliveries: DurableDelivery
    /// Workflow runs, recorded as they go.
    public let workflowRuns: WorkflowRunStore
    /// Resumes, once the plugins are loaded, the runs a stopped host left going.
    let resumer: WorkflowRunResumer
    public let readiness = Readiness()
    let archive: EventArchive
    let pins: PinStore
    let scores: ScoreHistory
    let streams = EventStreams()
    let metrics: HostMetricsCollector
    /// MCP tools over the host (served at `/mcp`; `caphost mcp` serves stdio on its own).
    let mcp: MCPServer?
    let mcpEndpoint: MCPHTTPEndpoint?
    /// The gRPC AdapterRegistry over the host's catalog, when served.
    let registry: AdapterRegistryServer?
    let logger: Logger
    private let lock: StateDirectoryLock
    private let group = Mutex<ServiceGroup?>(nil)
    private let listening: AsyncStream<RuntimeEndpoints>
    private let listeningContinuation: AsyncStream<RuntimeEndpoints>.Continuation
    private let endpointsValue = Mutex<RuntimeEndpoints?>(nil)

    /// Opens the state and creates the host; nothing listens until `run()`.
    public init(settings: RuntimeSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        try AdminServer.validate(settings.http)
        MetricsExport.bootstrap()
        let stateDirectory = settings.host.stateDirectory
        if let configured = settings.apiToken {
            guard configured.count >= 16 else {
                throw APITokenError(message: "http.token: expected at least 16 characters, found \(configured.count) (the value itself is not shown)")
            }
            self.token = APIToken(value: configured, path: "the configuration's http.token")
        } else {
            self.token = try APIToken.loadOrCreate(stateDirectory: stateDirectory)
        }
        self.lock = try StateDirectoryLock(stateDirectory: stateDirectory)
        self.database = try StateDatabase.open(stateDirectory: stateDirectory)
        self.host = try CapabilityHost(configuration: settings.host, logger: logger,
                                       keyValueStore: SQLiteKeyValueStore(database: database))
        self.pins = PinStore(database: database)
        self.archive = EventArchive(database: database, pins: pins, logger: logger)
        self.scores = ScoreHistory(database: database, logger: logger)
        self.deliveries = DurableDelivery(host: host, journal: DeliveryJournal(database: database),
                                          settings: settings.durable, logger: logger)
        self.workflowRuns = WorkflowRunStore(database: database)
        self.resumer = WorkflowRunResumer(runs: workflowRuns, runner: WorkflowRunner(host: host, durable: deliveries), logger: logger)
        self.metrics = HostMetricsCollector(host: host)
        if settings.mcpEnabled {
            var options = MCPServer.Options()
            options.workflowRuns = workflowRuns
            options.durableSteps = deliveries
            let server = MCPServer(host: host, options: options, logger: logger)
            self.mcp = server
            self.mcpEndpoint = MCPHTTPEndpoint(server: server)
        } else {
            self.mcp = nil
            self.mcpEndpoint = nil
        }
        if var grpc = settings.grpc {
            if settings.grpcRequiresToken && grpc.token == nil { grpc.token = token.value }
            self.registry = try AdapterRegistryServer(host: host, settings: grpc, logger: logger)
        } else {
            self.registry = nil
        }
        (listening, listeningContinuation) = AsyncStream<RuntimeEndpoints>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Serves until SIGTERM/SIGINT or `shutdown()`, then stops gracefully.
    public func run() async throws {
        let parts = AdminServer.Parts(host: host, settings: settings.http, token: token, readiness: readiness,
                                      streams: streams, metrics: metrics, deliveries: deliveries, workflowRuns: workflowRuns,
                                      mcp: mcpEndpoint)
        let application = try AdminServer.application(parts, logger: logger) { [self] port in
            let url = "\(settings.http.tlsCertificatePath == nil ? "http" : "https")://\(Self.urlHost(settings.http.address)):\(port)"
            var grpc: String?
            if let registry = self.registry, let bound = try? await registry.listeningAddress() {
                grpc = "\(Self.urlHost(bound.host)):\(bound.port)"
            }
            let endpoints = RuntimeEndpoints(url: url, grpc: grpc, mcp: mcpEndpoint == nil ? nil : url + "/mcp",
                                             pid: getpid(), startedAt: Date().timeIntervalSince1970)
            do {
                try endpoints.write(stateDirectory: settings.host.stateDirectory)
            } catch {
                logger.warning("could not write \(RuntimeEndpoints.fileName): \(error)")
            }
            endpointsValue.withLock { $0 = endpoints }
            listeningContinuation.yield(endpoints)
            logger.notice("admin API on \(endpoints.url) (token in \(token.path)); metrics at \(endpoints.url)/metrics")
        }
        // Shut down in reverse order: first announce (not ready, end streams),
        // then stop serving HTTP (in-flight requests finish), then the host.
        var services: [any Service] = [HostLifecycleService(runtime: self)]
        if let registry { services.append(AdapterRegistryLifecycleService(server: registry)) }
        services += [
            ServiceOnExecutor(base: application, executor: host.invoker.callExecutor),
            ShutdownAnnouncer(readiness: readiness, streams: streams, mcp: mcpEndpoint),
        ]
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // The backstop: each step of a shutdown has its own bound (durable stop_timeout,
        // drain_timeout); should anything still wait past their sum, the group cancels it.
        groupConfiguration.maximumGracefulShutdownDuration = settings.drainTimeout + settings.durable.stopTimeout + .seconds(10)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        group.withLock { $0 = serviceGroup }
        defer {
            RuntimeEndpoints.remove(stateDirectory: settings.host.stateDirectory)
            listeningContinuation.finish()
        }
        try await serviceGroup.run()
    }

    /// Starts a graceful shutdown (what SIGTERM does).
    public func shutdown() async {
        let serviceGroup = group.withLock { $0 }
        await serviceGroup?.triggerGracefulShutdown()
    }

    /// Where the host answers, once it listens (nil if it stopped first).
    public func endpoints() async -> RuntimeEndpoints? {
        if let known = endpointsValue.withLock({ $0 }) { return known }
        for await endpoints in listening { return endpoints }
        return endpointsValue.withLock { $0 }
    }

    static func urlHost(_ address: String) -> String {
        address.contains(":") ? "[\(address)]" : address
    }
}
