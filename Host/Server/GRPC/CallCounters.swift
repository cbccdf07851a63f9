import Metrics
import Synchronization

/// One counter per (method, code), made once: a metrics backend may do real
/// work (a lock, a registry lookup) to hand out a counter.
final class CallCounters: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])

    init(factory: any MetricsFactory) { self.factory = factory }

    func increment(method: String, code: String) {
        let key = "\(method) \(code)"
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: CallMetricsInterceptor.counterLabel,
                                  dimensions: [("method", method), ("code", code)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }
}
