/// The moment after which the caller has given up on a call: the header's `deadline_ns`.
///
/// Check it in long work with ``check()`` (throws ``PluginError/timeout``), size your own
/// timeouts with ``remaining``, or sleep against ``instant``. PluginKit also cancels the
/// invoking task when the deadline passes while it is suspended, so `Task.sleep` and other
/// cancellation-aware awaits end on time.
public struct PluginDeadline: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `CLOCK_MONOTONIC` time in nanoseconds, exactly as the host passed it.
    public let monotonicNanoseconds: UInt64

    /// A deadline at a `CLOCK_MONOTONIC` time in nanoseconds.
    public init(monotonicNanoseconds: UInt64) {
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    /// A deadline `duration` from now (for tests and for sub-deadlines of your own).
    public static func after(_ duration: Duration) -> PluginDeadline {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        let now = Int64(clamping: MonotonicClock.nowNanoseconds())
        return PluginDeadline(monotonicNanoseconds: UInt64(clamping: now.addingReportingOverflow(nanoseconds).partialValue))
    }

    /// Time left until the deadline; `.zero` once it has passed.
    public var remaining: Duration {
        let now = MonotonicClock.nowNanoseconds()
        guard monotonicNanoseconds > now else { return .zero }
        return .nanoseconds(Int64(clamping: monotonicNanoseconds - now))
    }

    /// True once the deadline has passed.
    public var hasPassed: Bool { MonotonicClock.nowNanoseconds() >= monotonicNanoseconds }

    /// Throws ``PluginError/timeout`` once the deadline has passed.
    public func check() throws(PluginError) {
        let now = MonotonicClock.nowNanoseconds()
        if now >= monotonicNanoseconds {
            throw PluginError.timeout("the deadline passed \(Self.milliseconds(now - monotonicNanoseconds)) ago")
        }
    }

    /// The deadline on `SuspendingClock`, e.g. for `try await Task.sleep(until: deadline.instant)`.
    public var instant: SuspendingClock.Instant {
        SuspendingClock.now.advanced(by: remaining)
    }

    /// The earlier of two deadlines.
    public static func < (lhs: PluginDeadline, rhs: PluginDeadline) -> Bool {
        lhs.monotonicNanoseconds < rhs.monotonicNanoseconds
    }

    /// `"deadline in 1.500 ms"` or `"deadline passed 3.000 ms ago"`.
    public var description: String {
        let now = MonotonicClock.nowNanoseconds()
        return now >= monotonicNanoseconds
            ? "deadline passed \(Self.milliseconds(now - monotonicNanoseconds)) ago"
            : "deadline in \(Self.milliseconds(monotonicNanoseconds - now))"
    }

    /// A nanosecond count as `"12.345 ms"`.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micro = nanoseconds / 1_000
        let fraction = micro % 1_000
        return "\(micro / 1_000).\(fraction < 10 ? "00" : fraction < 100 ? "0" : "")\(fraction) ms"
    }
}
