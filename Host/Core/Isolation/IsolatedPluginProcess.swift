import CapPluginABI
import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The host's side of one isolated plugin instance: the unchanged `.so` served by a
/// `caphost-runner --serve` child. To the rest of the host it is an ordinary instance — its
/// entry points (`IsolatedEntryPoints`) forward each call over a call channel and serve the
/// plugin's host services with the host's own `cap_host_api`, so deadlines, nesting, bounds
/// and idempotency keys behave as in-process.
///
/// When the child ends (signal, trap, `exit`, or killed by the host after a call overran its
/// deadline) only the calls in flight fail; the host opens the instance's breakers (the slot
/// fails over), and the child is restarted after a back-off that doubles with each end. Too
/// many ends within the restart window quarantine the plugin until an operator resumes it.
final class IsolatedPluginProcess: @unchecked Sendable {
    /// What starting a child needs.
    struct Launch: Sendable {
        let runnerPath: String
        /// The file in plugins.d, for messages.
        let file: String
        /// The content-addressed copy the child maps.
        let imagePath: String
        let digest: String
        let neededLibraries: [String]
        let limits: IsolationSettings.Limits
        let restart: IsolationSettings.RestartPolicy
        let startTimeout: Duration
        let createTimeout: Duration
        let healthTimeout: Duration
        /// Largest frame accepted from the child: the response limit plus room for the rest.
        let maxFrameBytes: Int
    }

    /// A child that could not be started or did not greet the host.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
        /// The plugin's own load error, when the child reported one.
        var loadError: PluginLoadError?
        init(_ description: String, loadError: PluginLoadError? = nil) {
            self.description = description
            self.loadError = loadError
        }
    }

    /// Where the process stands.
    enum Phase {
        /// Started; `create` has not yet succeeded on it (calls are refused).
        case starting(IsolatedChild)
        case running(IsolatedChild)
        /// Ended; a restart is due at `at`.
        case restarting(end: String, at: ContinuousClock.Instant)
        case quarantined(String)
        /// Destroyed, quiesced, or never established: no restarts.
        case stopped(String)
    }

    struct State {
        var phase: Phase
        /// Call channels of the current child not in use.
        var idle: [IsolationChannel] = []
        /// When the child ended, within the restart window.
        var ends: [ContinuousClock.Instant] = []
        var restarts = 0
        var lastEnd: String?
        /// Set once `create` succeeded: from then on an end restarts the child.
        var established = false
        var quiesced = false
        var destroyed = false
        /// What create received, kept for restarts (as addresses: the table and the host's
        /// context outlive the instance).
        var hostAPIAddress: UInt = 0
        var hostAddress: UInt = 0
        var config: [UInt8] = []

        var hostAPI: UnsafePointer<cap_host_api>? { UnsafePointer(bitPattern: hostAPIAddress) }
        var host: OpaquePointer? { OpaquePointer(bitPattern: hostAddress) }
    }

    let launch: Launch
    let descriptor: PluginDescriptor
    let linksSwiftRuntime: Bool
    let state: Mutex<State>
    /// Told when a child ended: how, and whether the plugin is now quarantined. Set by the host.
    let endObserver = Mutex<(@Sendable (String, Bool) -> Void)?>(nil)
    /// Told when a restarted child serves again.
    let restartObserver = Mutex<(@Sendable (Int) -> Void)?>(nil)

    private init(launch: Launch, child: IsolatedChild, descriptor: PluginDescriptor, linksSwiftRuntime: Bool) {
        self.launch = launch
        self.descriptor = descriptor
        self.linksSwiftRuntime = linksSwiftRuntime
        self.state = Mutex(State(phase: .starting(child)))
    }

    /// Starts the first child and reads the plugin's descriptor from it: the plugin is mapped
    /// only there, so nothing of it runs in the host.
    static func launch(_ launch: Launch) throws(PluginLoadError) -> IsolatedPluginProcess {
        let (child, descriptor, swift): (IsolatedChild, PluginDescriptor, Bool)
        do throws(StartFailure) {
            (child, descriptor, swift) = try startChild(launch, generation: 1)
        } catch let failure {
            if let loadError = failure.loadError { throw loadError }
            throw PluginLoadError(file: launch.file, check: .isolation, detail: failure.description)
        }
        let process = IsolatedPluginProcess(launch: launch, child: child, descriptor: descriptor, linksSwiftRuntime: swift)
        process.startControlReader(child)
        return process
    }

    /// The opaque instance pointer the entry points receive.
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    // MARK: - Starting a child

    /// Spawns a child and waits for its greeting (descriptor) or its refusal.
    static func startChild(_ launch: Launch, generation: Int) throws(StartFailure) -> (IsolatedChild, PluginDescriptor, Bool) {
        let child = try IsolatedChild.spawn(launch, generation: generation)
        let deadline = caphost_monotonic_ns() + UInt64(max(0, launch.startTimeout.nanoseconds))
        func fail(_ text: String, loadError: PluginLoadError? = nil, kill reason: String? = nil) -> StartFailure {
            child.kill(reason: reason)
            child.reap()
            return StartFailure(text, loadError: loadError)
        }
        let greeting: ReceivedFrame
        do throws(IsolationChannel.Failure) {
            greeting = try child.control.receive(deadline: deadline)
        } catch .timedOut {
            throw fail("its isolated process did not load it within \(launch.startTimeout) (killed)", kill: "load timeout")
        } catch {
            child.kill(reason: nil)
            child.reap()
            throw StartFailure("its isolated process \(child.end(waitingUpTo: 0) ?? "ended") while loading it" + (error == .closed ? "" : " (\(error))"))
        }
        switch greeting.frame.kind {
        case .hello:
            guard let descriptor = try? JSONDecoder().decode(PluginDescriptor.self, from: Data(greeting.field(0))) else {
                throw fail("its isolated process sent a descriptor that does not decode", kill: "malformed greeting")
            }
            if let problem = Self.problem(with: descriptor) {
                throw fail("its isolated process sent an unusable descriptor: \(problem)", kill: "unusable descriptor")
            }
            return (child, descriptor, greeting.frame.a == 1)
        case .loadFailed:
            let decoded = try? JSONDecoder().decode(PluginLoadError.self, from: Data(greeting.field(0)))
            let loadError = decoded.map {
                PluginLoadError(file: launch.file, check: $0.check, detail: $0.detail.replacingOccurrences(of: launch.imagePath, with: launch.file))
            }
            throw fail(loadError?.detail ?? "the isolated process could not load it", loadError: loadError)
        default:
            throw fail("its isolated process greeted with a \(greeting.frame.kind) frame", kill: "protocol error")
        }
    }

    /// What makes a descriptor from a child unusable, or nil (the child validated it; a
    /// compromised child could send anything, so the host checks what it relies on).
    private static func problem(with descriptor: PluginDescriptor) -> String? {
        guard !descriptor.capabilities.isEmpty else { return "no capabilities" }
        for (index, capability) in descriptor.capabilities.enumerated() {
            guard capability.index == UInt32(index) else { return "capability \(index) says it is at index \(capability.index)" }
            guard !capability.methods.isEmpty else { return "\(capability.id) has no methods" }
        }
        return nil
    }

    // MARK: - Calls

    /// Why calls are refused now (the process is not serving), or nil.
    private func refusal() -> String? {
        switch state.withLock({ $0.phase }) {
        case .running: nil
        case .starting: "its isolated process is still starting"
        case .restarting(let end, let at):
            "its isolated process \(end) and restarts in \(String(format: "%.2f", max(0, (at - .now).timeInterval))) s"
        case .quarantined(let reason): "it is quarantined: \(reason)"
        case .stopped(let reason): "its isolated process is stopped (\(reason))"
        }
    }

    /// A call channel of `child` (an idle one, or a new one passed to the child).
    private func channel(of child: IsolatedChild) throws(IsolationChannel.Failure) -> IsolationChannel {
        let idle = state.withLock { state -> IsolationChannel? in
            guard case .running(let current) = state.phase, current === child else { return nil }
            return state.idle.popLast()
        }
        if let idle { return idle }
        return try child.openCallChannel(maxBodyBytes: launch.maxFrameBytes)
    }

    private func giveBack(_ channel: IsolationChannel, of child: IsolatedChild) {
        let kept = state.withLock { state -> Bool in
            guard case .running(let current) = state.phase, current === child, state.idle.count < 256 else { return false }
            state.idle.append(channel)
            return true
        }
        if !kept { channel.close() }
    }

    /// The child calls are sent to now, or why there is none.
    private func servingChild() -> IsolatedChild? {
        if case .running(let child) = state.withLock({ $0.phase }) { return child }
        return nil
    }

    /// One request and its answer on a call channel of `child` (the serving child when nil),
    /// serving the nested calls the plugin makes meanwhile. `call` is the host's `cap_call`
    /// (errors are set on it); `out` receives the body of a successful answer.
    func exchange(_ request: IsolationFrame, _ fields: [UnsafeRawBufferPointer], on target: IsolatedChild? = nil,
                  deadline: UInt64, call: OpaquePointer?, what describe: @autoclosure () -> String,
                  out: UnsafeMutablePointer<cap_buffer>? = nil) -> cap_status {
        let (api, host) = state.withLock { ($0.hostAPI ?? HostServiceTable.pointer, $0.host) }
        func fail(_ status: cap_status, _ message: String) -> cap_status {
            let text = "\(descriptor.name) (\(launch.file)): \(message)"
            text.utf8CString.withUnsafeBufferPointer { bytes in
                api.pointee.set_error(call, status, cap_str(ptr: bytes.baseAddress, len: bytes.count - 1))
            }
            return status
        }
        guard let child = target ?? servingChild() else {
            let what = describe()
            return fail(CAP_UNAVAILABLE, "\(what) refused: \(refusal() ?? "its isolated process is not serving")")
        }
        let channel: IsolationChannel
        do throws(IsolationChannel.Failure) {
            channel = try self.channel(of: child)
        } catch {
            let what = describe()
            return fail(CAP_UNAVAILABLE, "\(what) refused: \(ended(child, during: what))")
        }
        do throws(IsolationChannel.Failure) {
            try channel.send(request, fields: fields)
            while true {
                let received = try channel.receive(deadline: deadline)
                switch received.frame.kind {
                case .result:
                    if received.frame.b == 1 {
                        let message = received.field(0)
                        api.pointee.set_error(call, Int32(bitPattern: received.frame.a),
                                              cap_str(ptr: message.baseAddress?.assumingMemoryBound(to: CChar.self), len: message.count))
                    }
                    if received.frame.status == CAP_OK, let out { HostServiceTable.fill(out, with: received.field(1)) }
                    let status = received.frame.status
                    giveBack(channel, of: child)
                    return status
                case .nestedCall:
                    var nested = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                    let status = api.pointee.call(host, call, Self.borrowed(received.field(0)), Self.borrowed(received.field(1)),
                                                  Self.borrowed(received.field(2)), &nested)
                    defer { Invoker.release(&nested) }
                    try channel.send(IsolationFrame(.nestedReply, status: status),
                                     UnsafeRawBufferPointer(start: nested.data, count: nested.data == nil ? 0 : nested.len))
                default:
                    throw .malformed("a \(received.frame.kind) frame on a call channel")
                }
            }
        } catch .tooLarge(let frame, let frameSize) where frame.kind == .result {
            let size = max(Int(frame.c), frameSize > Int(UInt32.max) ? frameSize : 0)
            // Too large to carry: the host's response limit refuses it as it would in-process
            // (the invoker reads the length, finds it over max_response_bytes and says so).
            giveBack(channel, of: child)
            if frame.status == CAP_OK, let out {
                out.pointee = cap_buffer(data: nil, len: size, release: nil, release_ctx: nil)
                return CAP_OK
            }
            return fail(CAP_INTERNAL, "\(describe()) answered \(size) bytes, more than the host accepts from a plugin")
        } catch .timedOut {
            let what = describe()
            channel.close()
            let overran = "\(what) overran its deadline"
            child.kill(reason: overran)
            _ = child.end(waitingUpTo: 2)
            handleEnd(of: child)
            return fail(CAP_TIMEOUT, "\(overran); its isolated process (pid \(child.pid)) was killed and restarts")
        } catch .malformed(let problem) {
            let what = describe()
            channel.close()
            child.kill(reason: "protocol error: \(problem)")
            _ = child.end(waitingUpTo: 2)
            handleEnd(of: child)
            return fail(CAP_UNAVAILABLE, "its isolated process broke the protocol (\(problem)) during \(what) and was killed")
        } catch {
            channel.close()
            return fail(CAP_UNAVAILABLE, ended(child, during: describe()))
        }
    }

    /// After a call channel of `child` failed: waits to learn how the child ended (killing it
    /// if it is somehow alive without its channel), lets the host act on it, and says what happened.
    private func ended(_ child: IsolatedChild, during what: String) -> String {
        var end = child.end(waitingUpTo: 0.5)
        if end == nil {
            child.kill(reason: "it closed its call channel during \(what)")
            end = child.end(waitingUpTo: 2)
        }
        handleEnd(of: child)
        return "its isolated process (pid \(child.pid)) \(end ?? "ended") during \(what)"
    }

    static func borrowed(_ bytes: UnsafeRawBufferPointer) -> cap_str {
        cap_str(ptr: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }
}
