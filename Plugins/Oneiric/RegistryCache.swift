import Synchronization

/// Remote answers by query, served while fresh (``OneiricConfiguration/cacheTTL``) and, when the
/// registry is down, while not older than the TTL plus ``OneiricConfiguration/staleTTL``
/// (stale-if-error). Each answer is kept both decoded and as the JSON fragment the plugin
/// answers with, so a hit costs a lookup and a copy. At most `capacity` queries are kept; the
/// oldest goes first.
final class RegistryCache: Sendable {
    /// One remote answer: the adapters it is about (for answers built from it, like
    /// `resolve_adapter`) and the JSON members it renders to (`"adapters":[…]`).
    struct Result: Sendable {
        let adapters: [RegistryAdapter]
        let fragment: [UInt8]
    }

    let ttl: Duration
    let staleTTL: Duration
    let capacity: Int
    private let entries = Mutex<[String: (result: Result, storedAt: ContinuousClock.Instant)]>([:])

    init(ttl: Duration, staleTTL: Duration, capacity: Int = 1_024) {
        self.ttl = ttl
        self.staleTTL = staleTTL
        self.capacity = capacity
    }

    /// The answer for `key` while it is fresh, and its age.
    func fresh(_ key: String) -> (Result, age: Duration)? {
        guard ttl > .zero else { return nil }
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key], now - entry.storedAt < ttl else { return nil }
            return (entry.result, now - entry.storedAt)
        }
    }

    /// The answer for `key` while it may still be served stale, and its age.
    func stale(_ key: String) -> (Result, age: Duration)? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key], now - entry.storedAt < ttl + staleTTL else { return nil }
            return (entry.result, now - entry.storedAt)
        }
    }

    func store(_ key: String, _ result: Result) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            if entries[key] == nil, entries.count >= capacity,
               let oldest = entries.min(by: { $0.value.storedAt < $1.value.storedAt })?.key {
                entries[oldest] = nil
            }
            entries[key] = (result, now)
        }
    }

    /// Forgets every answer (after an announcement changed what the registry holds).
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
