import CapPluginABI
import CCapHostSupport
import Synchronization

/// One created instance of a plugin image. Its lifecycle only moves forward —
/// live → quiesced → destroyed — so a destroyed instance can never be bound again.
final class PluginInstance: @unchecked Sendable {
    enum Lifecycle: Sendable, Equatable { case live, quiesced, destroyed }

    let image: PluginImage
    let pointer: UnsafeMutableRawPointer?
    let hostContext: PluginHostContext
    /// Held around every call when the plugin is not THREAD_SAFE.
    let callLock = Mutex<Void>(())
    let isThreadSafe: Bool
    private let state = Mutex<Lifecycle>(.live)
    /// Guarded calls holding a host call thread for this instance, including
    /// calls whose caller gave up at the deadline but whose plugin code still runs.
    private let threadsHeld = Atomic<Int>(0)
    /// Set when a call was refused because every call thread of the instance is held, so the
    /// event that says so is recorded once per episode; cleared by the next call that gets one.
    private let exhaustionReported = Atomic<Bool>(false)
    /// When the health check now running started (monotonic ns), 0 when none runs.
    let healthCheckStarted = Atomic<UInt64>(0)

    init(image: PluginImage, pointer: UnsafeMutableRawPointer?, hostContext: PluginHostContext) {
        self.image = image
        self.pointer = pointer
        self.hostContext = hostContext
        self.isThreadSafe = image.descriptor.flags.contains(.threadSafe)
    }

    var lifecycle: Lifecycle { state.withLock { $0 } }

    /// Takes one of the instance's `limit` call threads; false when all are held.
    func reserveCallThread(limit: Int) -> Bool {
        if threadsHeld.wrappingAdd(1, ordering: .relaxed).newValue <= limit {
            if exhaustionReported.load(ordering: .relaxed) { exhaustionReported.store(false, ordering: .relaxed) }
            return true
        }
        threadsHeld.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    /// True for the first refusal of an episode in which every call thread is held (hung calls
    /// included): the caller records the event once.
    func firstRefusalOfExhaustion() -> Bool {
        exhaustionReported.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }

    /// Gives back a thread taken with `reserveCallThread`, once the plugin returned.
    func releaseCallThread() { threadsHeld.wrappingSubtract(1, ordering: .relaxed) }

    /// Call threads held now.
    var callThreadsHeld: Int { threadsHeld.load(ordering: .relaxed) }
    var isLive: Bool { lifecycle == .live }

    /// Tells the plugin no new calls will come. Idempotent; a no-op once destroyed.
    func quiesce() {
        let proceed = state.withLock { current -> Bool in
            guard current == .live else { return false }
            current = .quiesced
            return true
        }
        if proceed, let quiesce = image.entryPoints.quiesce {
            let previous = caphost_inflight_enter(image.inFlightSlots, image.inFlightNumber)
            quiesce(pointer)
            caphost_inflight_exit(image.inFlightSlots, previous)
        }
    }

    /// Destroys the instance exactly once (quiescing it first if nobody did).
    /// The caller guarantees no call is in flight. Returns false when it was
    /// destroyed already.
    @discardableResult
    func destroy() -> Bool {
        let previous = state.withLock { current -> Lifecycle in
            let previous = current
            current = .destroyed
            return previous
        }
        guard previous != .destroyed else { return false }
        let recorded = caphost_inflight_enter(image.inFlightSlots, image.inFlightNumber)
        if previous == .live, let quiesce = image.entryPoints.quiesce { quiesce(pointer) }
        image.entryPoints.destroy(pointer)
        caphost_inflight_exit(image.inFlightSlots, recorded)
        hostContext.instanceDestroyed()
        return true
    }
}
