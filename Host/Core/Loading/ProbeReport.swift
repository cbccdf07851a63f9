/// What `caphost-runner --probe` found, as JSON on its report channel.
public struct ProbeReport: Sendable, Codable, Hashable {
    /// The phases the runner completed, in order (`inspect`, `map`, `create`, `health`, `invoke`, `destroy`).
    public var phases: [String] = []
    public var descriptor: PluginDescriptor?
    public var linksSwiftRuntime: Bool?
    /// The first check that failed, if any.
    public var error: PluginLoadError?
    public var health: HealthObservation?
    /// Threads still running 200 ms after destroy that were not there before create.
    public var threadsLeftAfterDestroy: Int?
    public var invocation: ProbeInvocationResult?

    public init() {}

    public var passed: Bool {
        error == nil && (health?.healthy ?? false) && (threadsLeftAfterDestroy ?? 0) == 0
            && (invocation.map { $0.status == "OK" } ?? true)
    }
}

/// A method to exercise inside the probe (`caphost check --invoke`).
public struct ProbeInvocation: Sendable, Codable, Hashable {
    public let method: String
    /// `domain:category:provider`; nil means the plugin's first capability.
    public let capability: String?
    public let payload: String

    public init(method: String, capability: String?, payload: String) {
        self.method = method
        self.capability = capability
        self.payload = payload
    }
}

/// The outcome of the exercised method.
public struct ProbeInvocationResult: Sendable, Codable, Hashable {
    public let capability: String
    public let method: String
    public let status: String
    public let message: String
    public let responseBytes: Int
    /// The first 512 bytes of the response, as text.
    public let responsePreview: String
    public let nanoseconds: Int64
}
