import CapHostMCP
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 (ephemeral port) that hands every
/// request to an `MCPHTTPEndpoint` — enough for the real Python MCP client to
/// exercise the endpoint's streamable HTTP semantics without the admin server.
/// Blocking socket I/O runs on dedicated threads; keep-alive and chunked
/// streaming responses are supported, request bodies need Content-Length.
final class LoopbackHTTPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let endpoint: MCPHTTPEndpoint
    private let stopped = Atomic<Bool>(false)
    private let connections = Mutex<Set<Int32>>([])

    init(endpoint: MCPHTTPEndpoint) throws {
        self.endpoint = endpoint
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var reuse: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, length) }
        }
        guard bound == 0, listen(socketDescriptor, 16) == 0 else {
            close(socketDescriptor)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        self.listener = socketDescriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "test-http-accept"
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)/mcp" }

    /// Stops accepting and closes every connection.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in connections.withLock({ Array($0) }) { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                return
            }
            connections.withLock { _ = $0.insert(connection) }
            let thread = Thread { [self] in
                serve(connection)
                connections.withLock { _ = $0.remove(connection) }
                close(connection)
            }
            thread.name = "test-http-connection"
            thread.start()
        }
    }

    // MARK: - One connection

    private func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        while let request = readRequest(connection, &buffer) {
            let response = waitFor { await self.endpoint.handle(request) }
            guard write(response, to: connection) else { return }
        }
    }

    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> MCPHTTPRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while true {
            if let found = buffer.indices.dropLast(3).first(where: { Array(buffer[$0..<$0 + 4]) == separator }) {
                headerEnd = found
                break
            }
            guard readMore(connection, &buffer) else { return nil }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(headerEnd! + 4)
        let method = head[0].split(separator: " ").first.map(String.init) ?? ""
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard readMore(connection, &buffer) else { return nil }
        }
        let body = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        return MCPHTTPRequest(method: method, accept: headers["accept"], contentType: headers["content-type"],
                              sessionID: headers["mcp-session-id"], protocolVersion: headers["mcp-protocol-version"],
                              lastEventID: headers["last-event-id"], origin: headers["origin"], body: body)
    }

    private func readMore(_ connection: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private func write(_ response: MCPHTTPResponse, to connection: Int32) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        switch response.body {
        case .empty:
            head += "Content-Length: 0\r\n\r\n"
            return send(Array(head.utf8), to: connection)
        case .complete(let bytes):
            head += "Content-Length: \(bytes.count)\r\n\r\n"
            return send(Array(head.utf8) + bytes, to: connection)
        case .stream(let frames):
            head += "Transfer-Encoding: chunked\r\n\r\n"
            guard send(Array(head.utf8), to: connection) else { return false }
            // Frames are produced on the cooperative pool and written here, on this connection's thread.
            let queue = FrameQueue()
            let pump = Task {
                for await frame in frames { queue.push(frame) }
                queue.finish()
            }
            defer { pump.cancel() }
            while let frame = queue.pop() {
                let chunk = Array(String(frame.count, radix: 16).utf8) + [13, 10] + frame + [13, 10]
                guard send(chunk, to: connection) else { return false }
            }
            return send(Array("0\r\n\r\n".utf8), to: connection)
        }
    }

    private func send(_ bytes: [UInt8], to connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Runs async work from this blocking thread and waits for it.
    private func waitFor<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        default: "Status"
        }
    }
}
