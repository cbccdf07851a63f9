import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

/// The instance's one HTTP client, on its own event loop thread so a slow Mailgun never
/// occupies the host's threads, with no redirects, no decompression, and no hidden retries
/// (the plugin decides what may be retried).
final class MailgunTransport: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let client: HTTPClient

    init(connectTimeout: Duration) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000
                                                             + connectTimeout.components.attoseconds / 1_000_000_000))
        // A failed connect fails the request at once instead of being retried inside the
        // pool until the deadline: the plugin's own loop counts and backs off the attempts.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
    }

    /// One exchange, bounded by `timeout`; cancelling the calling task cancels it.
    func exchange(_ method: HTTPMethod, url: String, headers: HTTPHeaders, body: [UInt8]?, timeout: Duration) async -> HTTPAttempt {
        let clock = ContinuousClock()
        let start = clock.now
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

    /// Closes the connections and stops the event loop thread.
    func shutdown() async {
        try? await client.shutdown()
        try? await group.shutdownGracefully()
    }
}
