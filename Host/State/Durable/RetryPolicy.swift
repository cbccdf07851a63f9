import CapHostCore

/// Which failures are worth another attempt, and how long to wait before it.
struct RetryPolicy: Sendable {
    let settings: DurableSettings

    /// Errors a retry cannot fix: the request itself is wrong, or not allowed.
    static let permanentCodes: Set<InvocationError.Code> = [.invalidArgument, .unknownMethod, .permission, .unimplemented]

    /// Whether `error` after `attempts` finished attempts dead-letters the delivery.
    func isFinal(_ error: InvocationError, attempts: Int) -> Bool {
        Self.permanentCodes.contains(error.code) || attempts >= max(1, settings.maxAttempts)
    }

    /// The wait before attempt `attempts + 1` on a provider that already failed:
    /// `initialBackoff · 2^(attempts-1)`, capped at `maxBackoff`, minus up to half as jitter.
    func backoff(afterAttempts attempts: Int) -> Duration {
        let initial = settings.initialBackoff.seconds
        let capped = min(settings.maxBackoff.seconds, initial * Double(1 << min(max(0, attempts - 1), 30)))
        return .seconds(capped * Double.random(in: 0.5...1.0))
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
