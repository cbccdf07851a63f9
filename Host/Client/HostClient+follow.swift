import AsyncHTTPClient
import CapHostCore
import Foundation
import NIOCore
import Synchronization

extension HostClient {
    /// Follows the host's event stream (`GET /v1/events` as Server-Sent Events):
    /// events recorded after `after` first, then each new one as it happens.
    ///
    /// When the stream breaks (the host restarts, the connection drops, nothing —
    /// not even a keep-alive — arrives for `idleTimeout`), the client reconnects
    /// after the delay the stream asked for (`retry:`, default 1 s) and sends
    /// `Last-Event-ID`, so no event is lost or repeated. It gives up after
    /// `reconnectAttempts` consecutive failed reconnects. The first connection is
    /// not retried: with no host running the stream fails at once (`unreachable`).
    /// Cancelling the consuming task closes the connection.
    public func followEvents(after: UInt64? = nil, kinds: [HostEvent.Kind] = [], reconnectAttempts: Int = 10,
                             idleTimeout: Duration = .seconds(45)) -> AsyncThrowingStream<HostEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.follow(after: after, kinds: kinds, reconnectAttempts: reconnectAttempts,
                                          idleTimeout: idleTimeout, continuation: continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func follow(after: UInt64?, kinds: [HostEvent.Kind], reconnectAttempts: Int, idleTimeout: Duration,
                        continuation: AsyncThrowingStream<HostEvent, any Error>.Continuation) async throws {
        let progress = StreamProgress(lastEventID: after.map(String.init))
        var connectedOnce = false
        var failures = 0
        while !Task.isCancelled {
            do {
                try await streamOnce(kinds: kinds, idleTimeout: idleTimeout, progress: progress, continuation: continuation)
                // The host ended the stream (shutdown): reconnect like after a drop.
                connectedOnce = true
                failures = 0
            } catch let error as HostClientError where [.unreachable, .connectionLost, .timeout].contains(error.kind) {
                if Task.isCancelled { return }
                if progress.connected { connectedOnce = true; failures = 0 }
                guard connectedOnce else { throw error }
                failures += 1
                if failures > reconnectAttempts {
                    throw HostClientError(kind: error.kind, code: error.code,
                        message: "the event stream from \(endpoint.url) broke and \(reconnectAttempts) reconnects failed: \(error.message)")
                }
            }
            progress.connected = false
            try? await Task.sleep(for: progress.reconnectDelay)
        }
    }

    /// One connection: parse the stream until it ends, breaks or goes idle.
    private func streamOnce(kinds: [HostEvent.Kind], idleTimeout: Duration, progress: StreamProgress,
                            continuation: AsyncThrowingStream<HostEvent, any Error>.Continuation) async throws {
        let path = "/v1/events"
        var headers = [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")]
        var query = Self.eventQuery(after: nil, limit: nil, kinds: kinds)
        if let lastID = progress.lastEventID {
            // The standard resume header; `after` too, for a fresh first connection.
            headers.append(("Last-Event-ID", lastID))
            query.insert(("after", lastID), at: 0)
        }
        let response = try await openStream(makeRequest("GET", path, query: query, body: nil, headers: headers), method: "GET", path: path)
        let contentType = response.headers.first(name: "content-type") ?? ""
        guard contentType.lowercased().hasPrefix("text/event-stream") else {
            throw HostClientError(kind: .invalidResponse, status: 200, code: "invalid_response",
                message: "GET \(path) with Accept: text/event-stream answered \(contentType.isEmpty ? "without a content type" : contentType), not an event stream")
        }
        progress.connected = true
        progress.touch()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var parser = ServerSentEventParser()
                do {
                    for try await buffer in response.body {
                        progress.touch()
                        for event in parser.feed(buffer.readableBytesView) {
                            try self.deliver(event, progress: progress, continuation: continuation)
                        }
                        if let retry = parser.reconnectionTime { progress.reconnectDelay = .milliseconds(retry) }
                    }
                } catch let error as HostClientError {
                    throw error
                } catch {
                    throw self.classify(error, method: "GET", path: path)
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: min(idleTimeout, .seconds(1)))
                    if progress.idle(longerThan: idleTimeout) {
                        throw HostClientError(kind: .timeout, code: "stream_idle",
                            message: "the event stream from \(self.endpoint.url) sent nothing (not even a keep-alive) for \(idleTimeout)")
                    }
                }
            }
            // The reader finishing (stream end) or either task failing ends the connection.
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func deliver(_ event: ServerSentEvent, progress: StreamProgress,
                         continuation: AsyncThrowingStream<HostEvent, any Error>.Continuation) throws {
        let decoded: HostEvent
        do {
            decoded = try JSONDecoder().decode(HostEvent.self, from: Data(event.data.utf8))
        } catch {
            throw HostClientError(kind: .invalidResponse, code: "invalid_event",
                message: "the event stream sent an event (id \(event.id.isEmpty ? "none" : event.id), type \(event.event)) that is not a HostEvent: \(Self.describe(error))")
        }
        progress.lastEventID = event.id.isEmpty ? String(decoded.sequence) : event.id
        continuation.yield(decoded)
    }
}

/// What one follow loop remembers across connections: the last event id (for
/// `Last-Event-ID`), the reconnect delay the stream asked for, and when bytes last arrived.
final class StreamProgress: Sendable {
    private struct State {
        var lastEventID: String?
        var reconnectDelay: Duration = .seconds(1)
        var lastActivity = ContinuousClock.now
        var connected = false
    }

    private let state: Mutex<State>

    init(lastEventID: String?) { state = Mutex(State(lastEventID: lastEventID)) }

    var lastEventID: String? {
        get { state.withLock { $0.lastEventID } }
        set { state.withLock { $0.lastEventID = newValue } }
    }

    var reconnectDelay: Duration {
        get { state.withLock { $0.reconnectDelay } }
        set { state.withLock { $0.reconnectDelay = newValue } }
    }

    var connected: Bool {
        get { state.withLock { $0.connected } }
        set { state.withLock { $0.connected = newValue } }
    }

    func touch() { state.withLock { $0.lastActivity = .now } }

    func idle(longerThan limit: Duration) -> Bool { state.withLock { ContinuousClock.now - $0.lastActivity > limit } }
}

extension HostClient {
    /// Sends a request whose answer is a stream (no deadline: it lasts as long as
    /// the host sends) and returns the response once it is a 200; any other answer
    /// becomes the host's `{code, message}`.
    func openStream(_ request: HTTPClientRequest, method: String, path: String) async throws(HostClientError) -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .distantFuture)
        } catch {
            throw classify(error, method: method, path: path)
        }
        guard response.status.code == 200 else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
            throw failure(HostResponse(status: Int(response.status.code), headers: Self.headerMap(response.headers), body: body),
                          method: method, path: path)
        }
        return response
    }
}
