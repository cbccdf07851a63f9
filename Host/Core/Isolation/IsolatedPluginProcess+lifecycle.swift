import CapPluginABI
import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Create, health, quiesce and destroy across the process boundary; what happens when a
/// child ends (breakers, restart with back-off, quarantine); and an operator's resume.
extension IsolatedPluginProcess {
    /// `create` in the child with `config`; the host API and handle are kept for restarts.
    func create(hostAPI: UnsafePointer<cap_host_api>, host: OpaquePointer, config: [UInt8], call: OpaquePointer?) -> cap_status {
        let (apiAddress, hostAddress) = (UInt(bitPattern: hostAPI), UInt(bitPattern: UnsafeRawPointer(host)))
        let child = state.withLock { state -> IsolatedChild? in
            state.hostAPIAddress = apiAddress
            state.hostAddress = hostAddress
            state.config = config
            if case .starting(let child) = state.phase { return child }
            return nil
        }
        guard let child else { return exchange(IsolationFrame(.create), [], deadline: 0, call: call, what: "create") }
        let status = createOn(child, call: call)
        if status != CAP_OK {
            state.withLock { $0.phase = .stopped("create() failed") }
            child.kill(reason: "create() returned \(PluginCallStatus(raw: status).name)")
        }
        return status
    }

    /// Sends create to a starting child; on success it becomes the serving child.
    private func createOn(_ child: IsolatedChild, call: OpaquePointer?) -> cap_status {
        let config = state.withLock { $0.config }
        let deadline = caphost_monotonic_ns() + UInt64(max(0, launch.createTimeout.nanoseconds))
        let status = config.withUnsafeBytes {
            exchange(IsolationFrame(.create), [$0], on: child, deadline: deadline, call: call, what: "create")
        }
        guard status == CAP_OK else { return status }
        let serving = state.withLock { state -> Bool in
            guard case .starting(let current) = state.phase, current === child else { return false }
            state.phase = .running(child)
            state.established = true
            return true
        }
        return serving ? CAP_OK : CAP_UNAVAILABLE
    }

    /// `health` in the child, killed (and restarted) when it does not answer within the health timeout.
    func health(call: OpaquePointer?) -> cap_status {
        let deadline = caphost_monotonic_ns() + UInt64(max(0, launch.healthTimeout.nanoseconds))
        return exchange(IsolationFrame(.health), [], deadline: deadline, call: call, what: "health")
    }

    /// `quiesce` in the child; from now on an end is not restarted.
    func quiesce() {
        state.withLock { $0.quiesced = true }
        let deadline = caphost_monotonic_ns() + UInt64(max(0, launch.createTimeout.nanoseconds))
        _ = exchange(IsolationFrame(.quiesce), [], deadline: deadline, call: nil, what: "quiesce")
    }

    /// `destroy` in the child, then the child ends (and is not restarted).
    func destroy() {
        let child = state.withLock { state -> IsolatedChild? in
            state.destroyed = true
            switch state.phase {
            case .running(let child), .starting(let child): return child
            default:
                state.phase = .stopped("destroyed")
                return nil
            }
        }
        guard let child else { return }
        let deadline = caphost_monotonic_ns() + UInt64(max(0, launch.createTimeout.nanoseconds))
        _ = exchange(IsolationFrame(.destroy), [], on: child, deadline: deadline, call: nil, what: "destroy")
        child.kill(reason: "destroyed")
        _ = child.end(waitingUpTo: 2)
        handleEnd(of: child)
    }

    // MARK: - Ends, restarts, quarantine

    /// Acts once on the end of `child`: closes its channels, and unless the instance is being
    /// retired, tells the host (which opens the breakers) and restarts or quarantines it.
    /// Later callers wait until the first has finished, so a caller that returns a failure
    /// knows the slot already fails over.
    func handleEnd(of child: IsolatedChild) {
        child.endHandled.withLock { handled in
            guard !handled else { return }
            handled = true
            let end = child.end(waitingUpTo: 2) ?? "ended"
            enum Next { case nothing, restart(Duration), quarantine(String) }
            let (next, idle) = state.withLock { state -> (Next, [IsolationChannel]) in
                let idle = state.idle
                state.idle = []
                switch state.phase {
                case .running(let current), .starting(let current):
                    guard current === child else { return (.nothing, idle) }
                default:
                    return (.nothing, idle)
                }
                state.lastEnd = end
                if state.destroyed || state.quiesced || !state.established {
                    state.phase = .stopped(state.destroyed ? "destroyed" : state.quiesced ? "retired" : "its process \(end) before create() succeeded")
                    return (.nothing, idle)
                }
                let now = ContinuousClock.now
                state.ends = state.ends.filter { now - $0 < launch.restart.window } + [now]
                if state.ends.count >= launch.restart.quarantineAfter {
                    let reason = "its process ended \(state.ends.count) times within \(launch.restart.window) (last: \(end)); resume it once fixed"
                    state.phase = .quarantined(reason)
                    return (.quarantine(reason), idle)
                }
                var backOff = launch.restart.initialBackOff
                for _ in 1..<state.ends.count { backOff = min(backOff * 2, launch.restart.maximumBackOff) }
                state.phase = .restarting(end: end, at: now + backOff)
                return (.restart(backOff), idle)
            }
            for channel in idle { channel.close() }
            switch next {
            case .nothing:
                return
            case .restart(let backOff):
                endObserver.withLock { $0 }?("its isolated process (pid \(child.pid)) \(end); restarting in \(backOff)", false)
                scheduleRestart(after: backOff, generation: child.generation + 1)
            case .quarantine(let reason):
                endObserver.withLock { $0 }?("its isolated process (pid \(child.pid)) \(end); quarantined: \(reason)", true)
            }
        }
    }

    /// Starts a new child after `backOff`, creates the instance in it with the kept config and
    /// health-checks it; a failure counts as another end.
    func scheduleRestart(after backOff: Duration, generation: Int) {
        Thread.detachNewThread { [self] in
            Thread.current.name = "caphost-restart"
            if backOff > .zero { Thread.sleep(forTimeInterval: backOff.timeInterval) }
            guard state.withLock({ state -> Bool in
                if case .restarting = state.phase { return !state.destroyed && !state.quiesced }
                return false
            }) else { return }
            let child: IsolatedChild
            do throws(StartFailure) {
                let (started, descriptor, _) = try Self.startChild(launch, generation: generation)
                guard descriptor == self.descriptor else {
                    started.kill(reason: "its descriptor changed")
                    started.reap()
                    throw StartFailure("the restarted process describes a different plugin (\(descriptor.name) \(descriptor.version))")
                }
                child = started
            } catch {
                startFailed(error.description, generation: generation)
                return
            }
            state.withLock { $0.phase = .starting(child) }
            startControlReader(child)
            var record = CallRecord(depth: 0, deadlineNanoseconds: 0)
            var status = withUnsafeMutablePointer(to: &record) { createOn(child, call: OpaquePointer($0)) }
            var failed = "create() returned \(PluginCallStatus(raw: status).name)"
            if status == CAP_OK {
                var healthRecord = CallRecord(depth: 0, deadlineNanoseconds: 0)
                status = withUnsafeMutablePointer(to: &healthRecord) { health(call: OpaquePointer($0)) }
                failed = "its health check returned \(PluginCallStatus(raw: status).name)\(healthRecord.errorMessage.map { ": \($0)" } ?? "")"
            } else if let message = record.errorMessage {
                failed += ": \(message)"
            }
            guard status == CAP_OK else {
                child.kill(reason: "after restart \(failed)")
                _ = child.end(waitingUpTo: 2)
                handleEnd(of: child)
                return
            }
            let restarts = state.withLock { state -> Int in
                state.restarts += 1
                return state.restarts
            }
            restartObserver.withLock { $0 }?(restarts)
        }
    }

    /// A restart that produced no child: counted as an end, then restarted again or quarantined.
    private func startFailed(_ reason: String, generation: Int) {
        let next = state.withLock { state -> Duration? in
            guard case .restarting = state.phase, !state.destroyed, !state.quiesced else { return nil }
            let now = ContinuousClock.now
            state.lastEnd = "could not restart: \(reason)"
            state.ends = state.ends.filter { now - $0 < launch.restart.window } + [now]
            if state.ends.count >= launch.restart.quarantineAfter {
                state.phase = .quarantined("its process could not be restarted \(state.ends.count) times within \(launch.restart.window) (last: \(reason)); resume it once fixed")
                return nil
            }
            var backOff = launch.restart.initialBackOff
            for _ in 1..<state.ends.count { backOff = min(backOff * 2, launch.restart.maximumBackOff) }
            state.phase = .restarting(end: "could not restart (\(reason))", at: now + backOff)
            return backOff
        }
        if let next {
            scheduleRestart(after: next, generation: generation + 1)
        } else if case .quarantined(let why) = state.withLock({ $0.phase }) {
            endObserver.withLock { $0 }?("its isolated process could not be restarted; quarantined: \(why)", true)
        }
    }

    /// Lifts a quarantine: the history is forgotten and a child starts now. False when the
    /// plugin was not quarantined.
    func resume() -> Bool {
        let generation = state.withLock { state -> Int? in
            guard case .quarantined = state.phase else { return nil }
            state.ends = []
            state.phase = .restarting(end: "resumed by an operator", at: .now)
            return 1_000 + state.restarts
        }
        guard let generation else { return false }
        scheduleRestart(after: .zero, generation: generation)
        return true
    }

    /// Whether a child serves calls now.
    var isServing: Bool {
        if case .running = state.withLock({ $0.phase }) { return true }
        return false
    }

    /// Ends the process without asking the plugin anything (a load that did not finish:
    /// conflict, failed health check); no restarts.
    func shutDown(reason: String) {
        let child = state.withLock { state -> IsolatedChild? in
            state.destroyed = true
            defer { state.phase = .stopped(reason) }
            switch state.phase {
            case .running(let child), .starting(let child): return child
            default: return nil
            }
        }
        child?.kill(reason: reason)
    }

    /// Why ranking must skip this instance (quarantined), or nil.
    var quarantineReason: String? {
        if case .quarantined(let reason) = state.withLock({ $0.phase }) { return reason }
        return nil
    }

    /// What `caphost plugins` and the API show about the process.
    var status: IsolatedProcessStatus {
        state.withLock { state in
            let (name, pid, detail): (IsolatedProcessStatus.State, Int32?, String?) = switch state.phase {
            case .starting(let child): (.starting, child.pid, nil)
            case .running(let child): (.running, child.pid, nil)
            case .restarting(_, let at): (.restarting, nil, String(format: "next start in %.2f s", max(0, (at - .now).timeInterval)))
            case .quarantined(let reason): (.quarantined, nil, reason)
            case .stopped(let reason): (.stopped, nil, reason)
            }
            return IsolatedProcessStatus(state: name, pid: pid, restarts: state.restarts, lastEnd: state.lastEnd, detail: detail,
                                         limits: launch.limits)
        }
    }
}
