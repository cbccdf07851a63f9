import PluginKit

/// Answers one question about the registry the way every method does: fresh cache → the
/// registry (bounded retries with jittered back-off, inside the caller's deadline, unless the
/// breaker is open) → the cache past its TTL (stale-if-error) → the host's own registry. Only a
/// registry that cannot answer falls back; what it does answer (NOT_FOUND, a refused
/// credential) is the answer.
final class RegistryClient: Sendable {
    let transport: any RegistryTransport
    let cache: RegistryCache
    let breaker: RegistryBreaker
    let configuration: OneiricConfiguration
    let answer: RegistryAnswer
    let metrics: RegistryMetrics
    let context: PluginContext

    init(transport: any RegistryTransport, configuration: OneiricConfiguration, metrics: RegistryMetrics, context: PluginContext) {
        self.transport = transport
        self.context = context
        self.configuration = configuration
        self.metrics = metrics
        cache = RegistryCache(ttl: configuration.cacheTTL, staleTTL: configuration.staleTTL)
        breaker = RegistryBreaker(threshold: configuration.breakerThreshold, cooldown: configuration.breakerCooldown)
        answer = RegistryAnswer(transport: transport.kind, registry: transport.address)
    }

    /// `transport address`, for messages: "grpc 127.0.0.1:8679".
    var origin: String { "\(transport.kind) \(transport.address)" }

    /// One answer. `key` caches it (nil: never cached); `remote` asks the registry; `local`
    /// answers from the host's registry when the remote one cannot (nil when the host cannot
    /// answer this question either: then the registry's failure is the answer).
    func respond(method: String, key: String?, deadline: PluginDeadline?,
                 remote: @Sendable (Duration) async throws(RegistryFailure) -> RegistryCache.Result,
                 local: () throws(PluginError) -> RegistryCache.Result?) async throws(PluginError) -> (AnswerSource, [UInt8], RegistryCache.Result) {
        if let key, let (hit, age) = cache.fresh(key) {
            metrics.cacheHit()
            return (.cache, answer.render(.cache, age: age, fragment: hit.fragment), hit)
        }
        if key != nil { metrics.cache("miss") }
        let failure: RegistryFailure
        do {
            let result = try await callRemote(method: method, deadline: deadline, remote)
            if let key { cache.store(key, result) }
            return (.remote, answer.render(.remote, fragment: result.fragment), result)
        } catch {
            guard error.isRegistryDown else { throw pluginError(error, method: method) }
            failure = error
        }
        let why = "the registry (\(origin)) cannot answer: \(failure.reason)"
        if let key, let (old, age) = cache.stale(key) {
            metrics.cache("stale")
            return (.stale, answer.render(.stale, age: age, reason: why, fragment: old.fragment), old)
        }
        if let result = try local() {
            metrics.fallback()
            return (.local, answer.render(.local, reason: why, fragment: result.fragment), result)
        }
        throw pluginError(failure, method: method)
    }

    /// The registry, with retries; throws the last failure.
    func callRemote<T>(method: String, deadline: PluginDeadline?,
                       _ remote: @Sendable (Duration) async throws(RegistryFailure) -> T) async throws(RegistryFailure) -> T {
        guard breaker.admit() else {
            throw .unavailable("circuit breaker \(breaker.description)")
        }
        var attempt = 0
        var backoff = Duration.milliseconds(50)
        while true {
            attempt += 1
            let left = deadline?.remaining ?? configuration.callTimeout * configuration.maxAttempts
            guard left > .milliseconds(1) else {
                breaker.recordFailure()
                throw .timedOut("\(method): the call's deadline passed before the registry answered")
            }
            let started = ContinuousClock.now
            do {
                let value = try await remote(min(configuration.callTimeout, left))
                metrics.request(method: method, outcome: "ok", seconds: ContinuousClock.now - started)
                metrics.reachable(true)
                breaker.recordSuccess()
                return value
            } catch {
                metrics.request(method: method, outcome: Self.outcome(error), seconds: ContinuousClock.now - started)
                guard error.isRegistryDown else {
                    breaker.recordSuccess()
                    throw error
                }
                let remaining = deadline?.remaining ?? .seconds(3_600)
                let pause = backoff * Double.random(in: 0.5...1.0)
                guard error.isTransient, attempt < configuration.maxAttempts, remaining > pause + .milliseconds(5) else {
                    metrics.reachable(false)
                    if breaker.recordFailure() {
                        metrics.breakerOpened()
                        context.log(.warning, "oneiric: the registry over \(origin) failed \(configuration.breakerThreshold) times in a row (\(error.reason)); circuit breaker \(breaker.description): answers come from the cache or this host's registry")
                    }
                    throw error
                }
                try? await Task.sleep(for: pause)
                backoff = min(backoff * 2, .milliseconds(800))
            }
        }
    }

    /// The operator's error for a failure the registry itself is the answer to, or that no
    /// fallback could cover. It names the transport and the address.
    func pluginError(_ failure: RegistryFailure, method: String) -> PluginError {
        switch failure {
        case .notFound(let reason): .notFound("\(reason) (oneiric registry over \(origin))")
        case .refused(let reason): .permission("the oneiric registry over \(origin) refused the credential: \(reason)")
        case .rejected(let reason): .invalidArgument("the oneiric registry over \(origin) refused \(method): \(reason)")
        case .malformed(let reason): .internal("the oneiric registry over \(origin) answered \(method) with something unreadable: \(reason)")
        case .timedOut(let reason): .timeout("the oneiric registry over \(origin) did not answer \(method) in time: \(reason)")
        case .unreachable(let reason), .unavailable(let reason), .sessionLost(let reason):
            .unavailable("the oneiric registry over \(origin) is unreachable: \(reason)")
        }
    }

    static func outcome(_ failure: RegistryFailure) -> String {
        switch failure {
        case .unreachable: "unreachable"
        case .unavailable, .sessionLost: "unavailable"
        case .timedOut: "timeout"
        case .notFound: "not_found"
        case .refused: "refused"
        case .rejected: "rejected"
        case .malformed: "malformed"
        }
    }
}
