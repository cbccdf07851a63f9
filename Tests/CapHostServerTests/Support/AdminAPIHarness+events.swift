import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One Server-Sent Event as a client parsed it.
struct SSEFrame: Sendable {
    var id: UInt64?
    var event: String?
    var data: String = ""
}

/// Short names for HTTP methods in route tables.
enum HTTPMethodName: String {
    case GET, POST, PUT, DELETE
    var nio: HTTPMethod { HTTPMethod(rawValue: rawValue) }
}

extension AdminAPIHarness {
    /// Reads `/v1/events` as Server-Sent Events until an event of kind `until` arrives (or 10 s pass).
    func streamEvents(after: UInt64, until kind: String) async throws -> [SSEFrame] {
        var request = HTTPClientRequest(url: baseURL + "/v1/events")
        request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.headers.add(name: "Last-Event-ID", value: "\(after)")
        let response = try await client.execute(request, timeout: .seconds(10))
        guard response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true else {
            throw SSEError("expected text/event-stream, found \(response.headers.first(name: "content-type") ?? "none")")
        }
        var frames: [SSEFrame] = []
        var pending = ""
        var current = SSEFrame()
        for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.isEmpty {
                    if current.event != nil || !current.data.isEmpty { frames.append(current) }
                    if current.event == kind { return frames }
                    current = SSEFrame()
                } else if line.hasPrefix("id: ") {
                    current.id = UInt64(line.dropFirst(4))
                } else if line.hasPrefix("event: ") {
                    current.event = String(line.dropFirst(7))
                } else if line.hasPrefix("data: ") {
                    current.data += String(line.dropFirst(6))
                }
            }
        }
        throw SSEError("the stream ended before a \(kind) event; got \(frames.map { $0.event ?? "?" })")
    }
}

struct SSEError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
