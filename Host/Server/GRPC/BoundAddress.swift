import Synchronization

/// The address a server bound, published once by the task that runs the server
/// and awaited by anyone who wants to know it (e.g. after binding port 0).
final class BoundAddress: Sendable {
    typealias Address = (host: String, port: Int)

    private enum State {
        case waiting([CheckedContinuation<Address, any Error>])
        case bound(host: String, port: Int)
        case ended(any Error)
    }

    private let state = Mutex<State>(.waiting([]))

    /// Waits until the server has bound its socket (or failed, or stopped).
    func wait() async throws -> Address {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<Address, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .bound(let host, let port): return .success((host, port))
                case .ended(let error): return .failure(error)
                }
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    /// Publishes the bound address to every waiter, present and future.
    func bind(host: String, port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Address, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .bound(host: host, port: port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: (host, port)) }
    }

    /// Ends the address: waiters, present and future, get `error`.
    func end(_ error: any Error) {
        let waiters = state.withLock { state -> [CheckedContinuation<Address, any Error>] in
            defer { state = .ended(error) }
            guard case .waiting(let waiters) = state else { return [] }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
