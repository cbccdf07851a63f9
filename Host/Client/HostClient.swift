import AsyncHTTPClient
import CapHostCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A client of a running caphost's HTTP admin API (`/briefs/HTTP-API.md`):
/// one typed method per route, answers decoded into the core's own types
/// (`PluginReport`, `SlotExplanation`, `HostEvent`, `SwapOutcome`), every failure
/// a `HostClientError` that says what to do.
///
/// The client owns an `HTTPClient`: call `shutdown()` when done, or use
/// `HostClient.with(endpoint:_:)`, which always does.
public final class HostClient: Sendable {
    /// Where the host is and the token sent to it.
    public let endpoint: HostEndpoint
    /// Deadline of an ordinary request.
    public let requestTimeout: Duration
    let http: HTTPClient

    /// Largest answer accepted (plugin responses are capped at 16 MiB by default).
    static let maxBodyBytes = 256 << 20

    /// A client for `endpoint`. Connection attempts are not retried, so a host
    /// that is not running is reported at once.
    public init(endpoint: HostEndpoint, requestTimeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Closes the connections. Call once, after the last request.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Runs `body` with a client for `endpoint` and shuts it down afterwards, also when `body` throws.
    public static func with<Result: Sendable>(endpoint: HostEndpoint, requestTimeout: Duration = .seconds(30),
                                              _ body: (HostClient) async throws -> Result) async throws -> Result {
        let client = HostClient(endpoint: endpoint, requestTimeout: requestTimeout)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Sends one request and returns the answer, whatever its status; throws only
    /// when no answer came. `path` starts with `/`; `query` values are escaped.
    public func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                     headers: [(String, String)] = [], timeout: Duration? = nil) async throws(HostClientError) -> HostResponse {
        let request = makeRequest(method, path, query: query, body: body, headers: headers)
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(timeout ?? requestTimeout))
        do {
            let response = try await http.execute(request, deadline: deadline)
            let collected = try await response.body.collect(upTo: Self.maxBodyBytes)
            return HostResponse(status: Int(response.status.code), headers: Self.headerMap(response.headers),
                                body: Array(collected.readableBytesView))
        } catch {
            throw classify(error, method: method, path: path)
        }
    }

    /// Sends a request and returns the body of a 2xx answer; any other status
    /// becomes the host's `{code, message}` as a `HostClientError`.
    func call(_ method: String, _ path: String, query: [(String, String)] = [], json: (any Encodable)? = nil,
              body: [UInt8]? = nil, headers: [(String, String)] = [], timeout: Duration? = nil) async throws(HostClientError) -> HostResponse {
        var bytes = body
        var allHeaders = headers
        if let json {
            do {
                bytes = Array(try JSONEncoder().encode(json))
            } catch {
                throw HostClientError(kind: .invalidEndpoint, code: "encoding", message: "cannot encode the request: \(error)")
            }
        }
        if bytes != nil, !allHeaders.contains(where: { $0.0.lowercased() == "content-type" }) {
            allHeaders.append(("Content-Type", "application/json"))
        }
        let response = try await send(method, path, query: query, body: bytes, headers: allHeaders, timeout: timeout)
        guard (200..<300).contains(response.status) else { throw failure(response, method: method, path: path) }
        return response
    }

    /// Decodes the JSON body of a 2xx answer of `method path`.
    func decode<T: Decodable>(_ type: T.Type, from response: HostResponse, method: String, path: String) throws(HostClientError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw HostClientError(kind: .invalidResponse, status: response.status, code: "invalid_response",
                message: "the answer to \(method) \(path) is not the expected \(T.self) JSON: \(Self.describe(error)); got \(Self.preview(response.body))")
        }
    }

    /// The `HostClientError` for a non-2xx answer.
    func failure(_ response: HostResponse, method: String, path: String) -> HostClientError {
        let fields = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(response.body))) ?? [:]
        let code = fields["code"].flatMap { if case .string(let text) = $0 { text } else { nil } }
        let message = fields["message"].flatMap { if case .string(let text) = $0 { text } else { nil } }
        if response.status == 401 {
            return .unauthorized(endpoint, status: 401, hostMessage: message ?? "")
        }
        guard let code, let message else {
            return HostClientError(kind: .invalidResponse, status: response.status, code: "http_\(response.status)",
                message: "\(method) \(path) answered HTTP \(response.status) without a caphost error body: \(Self.preview(response.body)) (is \(endpoint.url) a caphost?)")
        }
        var details = fields
        details["code"] = nil
        details["message"] = nil
        return HostClientError(kind: .host, status: response.status, code: code, message: message, details: details)
    }

    func makeRequest(_ method: String, _ path: String, query: [(String, String)], body: [UInt8]?, headers: [(String, String)]) -> HTTPClientRequest {
        var url = endpoint.url + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.escapeQuery($0.0))=\(Self.escapeQuery($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let token = endpoint.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "caphost-cli")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }

    /// Turns a transport error into an operator's message.
    func classify(_ error: any Error, method: String, path: String) -> HostClientError {
        if let error = error as? HostClientError { return error }
        if error is CancellationError {
            return HostClientError(kind: .connectionLost, code: "cancelled", message: "\(method) \(path) was cancelled")
        }
        if error is NIOConnectionError {
            return .unreachable(endpoint, cause: "connection refused")
        }
        if let error = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode) {
            return .unreachable(endpoint, cause: String(cString: strerror(error.errnoCode)))
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return .unreachable(endpoint, cause: "connection timed out")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return .unreachable(endpoint, cause: "connection timed out")
            case .deadlineExceeded, .readTimeout:
                return HostClientError(kind: .timeout, code: "timeout",
                    message: "\(method) \(path) got no answer from \(endpoint.url) in time; the host is running but busy, or the operation takes longer (raise --timeout)")
            case .remoteConnectionClosed:
                return HostClientError(kind: .connectionLost, code: "connection_lost",
                    message: "\(endpoint.url) closed the connection before answering \(method) \(path) (did the host stop?)")
            case .cancelled:
                return HostClientError(kind: .connectionLost, code: "cancelled", message: "\(method) \(path) was cancelled")
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            return HostClientError(kind: .invalidResponse, code: "response_too_large",
                message: "the answer to \(method) \(path) is larger than \(Self.maxBodyBytes >> 20) MiB")
        }
        if "\(error)".contains("NIOSSL") || "\(type(of: error))".contains("SSL") {
            return HostClientError(kind: .unreachable, code: "tls",
                message: "TLS with \(endpoint.url) failed: \(error) (check the URL's scheme and the host's certificate)")
        }
        return HostClientError(kind: .connectionLost, code: "transport",
            message: "\(method) \(path) to \(endpoint.url) failed: \(error)")
    }

    static func headerMap(_ headers: HTTPHeaders) -> [String: String] {
        var map: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            map[key] = map[key].map { $0 + ", " + value } ?? value
        }
        return map
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }

    /// A path segment, percent-escaped (names never contain `/`, but a typo might).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func escapeQuery(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func preview(_ body: [UInt8]) -> String {
        if body.isEmpty { return "an empty body" }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return "\"\(text)\(body.count > 200 ? "…" : "")\""
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : keys
        }
        switch error {
        case .keyNotFound(let key, let context): return "\"\(key.stringValue)\" missing at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}
