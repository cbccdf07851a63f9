import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The instance's one HTTP client, on its own event loop thread so a slow Mailgun never
/// occupies the host's threads, with no redirects, no decompression, and no hidden retries
/// (the plugin decides what may be retried).
///
/// The thread and the client start at the first exchange, not when the instance is created:
/// a host start that loads the plugin but sends nothing pays for neither.
final class MailgunTransport: Sendable {
    /// Why an exchange was refused after ``shutdown()``.
    struct Stopped: Error, CustomStringConvertible {
        var description: String { "the Mailgun plugin's HTTP client was shut down (the instance is being retired)" }
    }

    private enum State {
        case idle
        case running(MultiThreadedEventLoopGroup, HTTPClient)
        case stopped
    }

    private let configuration: HTTPClient.Configuration
    private let state = Mutex<State>(.idle)
    private let started: @Sendable () -> Void

    /// `started` runs once, when the first exchange starts the thread and the client.
    init(connectTimeout: Duration, started: @escaping @Sendable () -> Void) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000
                                                             + connectTimeout.components.attoseconds / 1_000_000_000))
        // A failed connect fails the request at once instead of being retried inside the
        // pool until the deadline: the plugin's own loop counts and backs off the attempts.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.configuration = configuration
        self.started = started
    }

    /// The client, started on first use; `nil` once shut down.
    private func client() -> HTTPClient? {
        let (client, isNew) = state.withLock { state -> (HTTPClient?, Bool) in
            switch state {
            case .running(_, let client):
                return (client, false)
            case .stopped:
                return (nil, false)
            case .idle:
                let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
                let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
                state = .running(group, client)
                return (client, true)
            }
        }
        if isNew { started() }
        return client
    }

    /// One exchange, bounded by `timeout`; cancelling the calling task cancels it.
    func exchange(_ method: HTTPMethod, url: String, headers: HTTPHeaders, body: [UInt8]?, timeout: Duration) async -> HTTPAttempt {
        let clock = ContinuousClock()
        let start = clock.now
        guard let client = client() else {
            return .failed(Stopped(), requestSent: false, timedOut: false, duration: .zero)
        }
        let collector = ResponseCollector()
        let request: HTTPClient.Request
        do {
            var buffer: ByteBuffer?
            if let body { buffer = ByteBuffer(bytes: body) }
            request = try HTTPClient.Request(url: url, method: method, headers: headers, body: buffer.map { .byteBuffer($0) })
        } catch {
            return .failed(error, requestSent: false, timedOut: false, duration: clock.now - start)
        }
        let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let deadline = NIODeadline.now() + .nanoseconds(nanoseconds)
        let task = client.execute(request: request, delegate: collector, deadline: deadline)
        do {
            let answer = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return .answered(answer, duration: clock.now - start)
        } catch {
            let timedOut = (error as? HTTPClientError).map { [.deadlineExceeded, .readTimeout, .writeTimeout].contains($0) } ?? false
            return .failed(error, requestSent: collector.requestSent, timedOut: timedOut, duration: clock.now - start)
        }
    }

    /// Closes the connections and stops the event loop thread, if they were ever started;
    /// later exchanges fail with ``Stopped``.
    func shutdown() async {
        let previous = state.withLock { state in
            defer { state = .stopped }
            return state
        }
        guard case .running(let group, let client) = previous else { return }
        try? await client.shutdown()
        try? await group.shutdownGracefully()
    }
}
