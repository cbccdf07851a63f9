import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// The response delegate of one HTTP attempt: collects the status, headers and (bounded) body,
/// and records whether the whole request body went out — the line between a failure that is
/// safe to retry (Mailgun cannot have queued a message it never fully received) and one that
/// is not (it may have, and Mailgun does not de-duplicate).
final class ResponseCollector: HTTPClientResponseDelegate, Sendable {
    /// What the server answered.
    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    private struct State {
        var requestSent = false
        var head: HTTPResponseHead?
        var body: [UInt8] = []
    }

    /// Mailgun's answers are small JSON documents; a larger body is cut here.
    static let bodyLimit = 256 * 1_024

    private let state = Mutex(State())

    /// True once the request (head and body) was handed to the network in full.
    var requestSent: Bool { state.withLock { $0.requestSent } }

    func didSendRequest(task: HTTPClient.Task<Answer>) {
        state.withLock { $0.requestSent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Answer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Answer>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        state.withLock { state in
            let room = Self.bodyLimit - state.body.count
            if room > 0 { state.body.append(contentsOf: buffer.readableBytesView.prefix(room)) }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Answer>) throws -> Answer {
        try state.withLock { state in
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            return Answer(status: Int(head.status.code), headers: head.headers, body: state.body)
        }
    }
}
