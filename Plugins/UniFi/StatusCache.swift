import NIOCore

/// Each location's last read, reused for `cache_ttl`, with at most one read of a location under
/// way: calls that arrive while it runs wait for it, so a burst of `choose_location` calls costs
/// one controller round trip per location. Failed reads are kept as long, so an unreachable
/// controller is not asked again by every call of a burst.
actor StatusCache {
    private enum Entry {
        case reading(Task<LocationStatus, Never>)
        case read(LocationStatus, at: NIODeadline)
    }

    private var entries: [String: Entry] = [:]
    private let ttl: Duration

    init(ttl: Duration) {
        self.ttl = ttl
    }

    /// The location's status: the kept one while younger than the TTL, else a new read that ends
    /// by `deadline`.
    func status(of session: ControllerSession, deadline: NIODeadline, staleAfter: Duration) async -> LocationStatus {
        let name = session.location.name
        switch entries[name] {
        case .read(let status, let at)? where NIODeadline.now() < at + .nanoseconds(Self.nanoseconds(ttl)):
            return status
        case .reading(let task)?:
            return await task.value
        default:
            let task = Task { await session.read(deadline: deadline, staleAfter: staleAfter) }
            entries[name] = .reading(task)
            let status = await task.value
            entries[name] = .read(status, at: .now())
            return status
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
