import NIOPosix
import Synchronization

/// The instance's one event loop thread, started by the first exchange with the registry
/// rather than in `create`: a host that loads the plugin and never asks the registry anything
/// runs no thread for it.
final class RegistryEventLoop: Sendable {
    private enum State {
        case idle
        case running(MultiThreadedEventLoopGroup)
        case stopped
    }

    private let state = Mutex<State>(.idle)
    private let started: @Sendable () -> Void

    /// `started` runs once, when the first exchange starts the thread.
    init(started: @escaping @Sendable () -> Void) {
        self.started = started
    }

    /// The group, started on first use; fails once ``shutdown()`` ran.
    func group() throws(RegistryFailure) -> MultiThreadedEventLoopGroup {
        let (group, isNew) = state.withLock { state -> (MultiThreadedEventLoopGroup?, Bool) in
            switch state {
            case .running(let group): return (group, false)
            case .stopped: return (nil, false)
            case .idle:
                let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
                state = .running(group)
                return (group, true)
            }
        }
        guard let group else { throw .unavailable("the plugin is shutting down") }
        if isNew { started() }
        return group
    }

    /// Stops the thread if it was ever started; later exchanges fail.
    func shutdown() async {
        let previous = state.withLock { state in
            defer { state = .stopped }
            return state
        }
        guard case .running(let group) = previous else { return }
        try? await group.shutdownGracefully()
    }
}
