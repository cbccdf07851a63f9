import Foundation

/// `GET`: the session's stream of server messages as Server-Sent Events, each
/// with the message's sequence as its `id`, plus keep-alive comments.
extension MCPHTTPEndpoint {
    func openStream(_ request: MCPHTTPRequest) -> MCPHTTPResponse {
        guard Self.acceptance(of: request.accept).eventStream else {
            return Self.failure(406, .invalidRequest("a GET opens the server's event stream: Accept must include text/event-stream"))
        }
        let session: MCPSession
        switch existingSession(for: request) {
        case .success(let found): session = found
        case .failure(let refusal): return refusal.response
        }
        // Event ids are this session's message sequence numbers; anything else resumes from what was never delivered.
        let resumeAfter = request.lastEventID.flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        let messages = session.outboundMessages(after: resumeAfter)
        let (frames, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(512))
        continuation.yield(ServerSentEventFrame.comment("caphost MCP event stream for session \(session.id)"))
        let pump = Task {
            for await message in messages {
                continuation.yield(ServerSentEventFrame(id: String(message.sequence), data: message.bytes).encoded)
            }
            continuation.finish()
        }
        let interval = options.keepAliveInterval
        let keepAlive = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                session.touch()
                continuation.yield(ServerSentEventFrame.comment("keep-alive"))
            }
        }
        continuation.onTermination = { _ in
            pump.cancel()
            keepAlive.cancel()
        }
        return MCPHTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")],
                               body: .stream(frames))
    }
}
