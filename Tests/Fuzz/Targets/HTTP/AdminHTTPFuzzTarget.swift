import CapHostCore
import CapHostMCP
import CapHostServer
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOEmbedded
import Prometheus
import Synchronization

/// `admin-http`: the admin API's whole request path without a socket — the responder
/// `caphost serve` runs (`AdminResponder`: the invoke shortcut, then the router with
/// the origin policy, the bearer token, every route and `/mcp`) — over `EmptyHost`, a
/// new server per input. The input is an `HTTPRequestScript`; each request becomes the `Request`
/// Hummingbird would build from it (the `Host` header as its authority, the body's
/// length as `Content-Length`).
///
/// The rule checked is SPEC §8's: nothing is reachable without the token. A request
/// without it gets a refusal (401, or 403/421/415 from the origin policy), unless it is
/// a `GET`/`HEAD` whose path splits into `healthz` or `readyz` — and then a 200 must be
/// the health or readiness answer. Every JSON error must carry a code and a message,
/// and none may be the catch-all `internal` (an error no handler expected).
enum AdminHTTPFuzzTarget {
    static let token = APIToken(value: "fuzz-api-token-8f3a61c2d9e04b7a", path: "/dev/null/api-token")
    static let channel = EmbeddedChannel()
    /// `Host`, which an HTTP/1.1 server turns into the request's authority.
    static let hostField = HTTPField.Name("Host")!

    static let target = FuzzTarget(
        name: "admin-http",
        summary: "HTTPRequestScript text: requests to the admin API's responder (origin policy, token, routes, /mcp)",
        dictionary: "http.dict"
    ) { input throws(FuzzFinding) in
        let script = HTTPRequestScript(parsing: input)
        guard !script.requests.isEmpty else { return }
        if let problem = BlockingWait.run({ await exchange(script) }) {
            throw FuzzFinding("admin-http", problem)
        }
    }

    /// Sends every request to a new server; the first rule an answer broke, if any.
    private static func exchange(_ script: HTTPRequestScript) async -> String? {
        let host = EmptyHost.shared
        let streams = EventStreams()
        let mcp = MCPHTTPEndpoint(server: MCPFuzzTarget.server)
        let readiness = Readiness()
        readiness.markReady()
        var settings = AdminAPISettings()
        settings.allowedHosts = ["caphost.internal"]
        let responder = AdminServer.responder(AdminServer.Parts(
            host: host, settings: settings, token: token, readiness: readiness, streams: streams,
            metrics: HostMetricsCollector(host: host, registry: PrometheusCollectorRegistry()), mcp: mcp))
        let problem = await send(script, to: responder)
        streams.finishAll()
        await MCPFuzzTarget.finish(mcp)
        return problem
    }

    private static func send(_ script: HTTPRequestScript, to responder: AdminResponder) async -> String? {
        var session: String?
        for written in script.requests {
            guard let request = request(written, session: session) else { continue }
            let context = BasicRequestContext(source: ApplicationRequestContextSource(
                channel: channel, logger: EmptyHost.silentLogger("caphost.fuzz.admin")))
            let response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as any HTTPResponseError {
                do {
                    response = try error.response(from: request, context: context)
                } catch {
                    return "\(request.method) \(request.uri.path): the error's response cannot be made: \(error)"
                }
            } catch {
                return "\(request.method) \(request.uri.path): an error no HTTP answer stands for reached the server: \(error)"
            }
            let contentType = response.headers[.contentType] ?? ""
            let body = contentType.hasPrefix("text/event-stream") ? nil : await bytes(of: response)
            if let problem = problem(with: response, body: body, to: request) {
                return "\(request.method) \(request.head.path ?? "") (Host \(request.head.authority ?? "none")): \(problem)"
            }
            if let id = response.headers[HTTPField.Name("Mcp-Session-Id")!] { session = id }
        }
        return nil
    }

    /// The `Request` Hummingbird would make of `written`; nil when an HTTP/1.1
    /// parser would refuse it before the responder (bad method, path or `Host`).
    private static func request(_ written: HTTPRequestScript.Request, session: String?) -> Request? {
        guard let method = HTTPRequest.Method(written.method),
              !written.path.isEmpty, written.path.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return nil }
        var fields = HTTPFields()
        var hosts: [String] = []
        for (name, value) in written.headers {
            guard let field = HTTPField.Name(name) else { continue }
            let value = HTTPRequestScript.substituted(value, session: session, token: token.value)
            if field == hostField {
                hosts.append(value)
            } else if field != .contentLength && field != .transferEncoding {
                fields.append(HTTPField(name: field, value: value))
            }
        }
        guard hosts.count <= 1 else { return nil }
        if !written.body.isEmpty { fields[.contentLength] = "\(written.body.count)" }
        let head = HTTPRequest(method: method, scheme: nil, authority: hosts.first, path: written.path, headerFields: fields)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: written.body)))
    }

    private static func problem(with response: Response, body: [UInt8]?, to request: Request) -> String? {
        let status = Int(response.status.code)
        guard (100...599).contains(status) else { return "status \(status)" }
        let refusals: Set<Int> = [401, 403, 415, 421]
        if !carriesToken(request.headers) && !refusals.contains(status) {
            guard isPublic(request) else { return "answered \(status) without the token" }
            if status == 200, !isHealthAnswer(body) {
                return "a public path answered 200 with something other than the health answer: \(shown(body))"
            }
        }
        let isMCP = request.uri.path.split(separator: "/").first == "mcp"
        guard status >= 400, !isMCP, let body, (response.headers[.contentType] ?? "").hasPrefix("application/json") else { return nil }
        guard let error = try? JSONValue(parsing: body), let code = error["code"]?.stringValue, !code.isEmpty,
              let message = error["message"]?.stringValue, !message.isEmpty else {
            return "the \(status) answer is not an error with a code and a message: \(shown(body))"
        }
        if code == "internal" { return "an unexpected error reached the edge (\(status) internal): \(message)" }
        return nil
    }

    /// `Authorization: Bearer <token>`, written once, the scheme in any case.
    private static func carriesToken(_ headers: HTTPFields) -> Bool {
        let values = headers[values: .authorization]
        guard values.count == 1, let value = values.first, value.utf8.count > 7,
              value.prefix(6).lowercased() == "bearer", value.dropFirst(6).first == " " else { return false }
        return value.dropFirst(6).drop { $0 == " " } == token.value
    }

    /// A `GET` or `HEAD` of `healthz` or `readyz`, slashes aside: all that needs no token.
    private static func isPublic(_ request: Request) -> Bool {
        guard request.method == .get || request.method == .head else { return false }
        let segments = request.uri.path.split(separator: "/")
        return segments == ["healthz"] || segments == ["readyz"]
    }

    private static func isHealthAnswer(_ body: [UInt8]?) -> Bool {
        guard let body, let answer = try? JSONValue(parsing: body) else { return false }
        return answer["status"] == .string("ok") || answer["status"] == .string("ready")
    }

    private static func shown(_ body: [UInt8]?) -> String {
        body.map { String(decoding: $0.prefix(300), as: UTF8.self) } ?? "(a stream)"
    }

    /// The response's body as the server would write it.
    private static func bytes(of response: Response) async -> [UInt8] {
        let collected = CollectedBody()
        try? await response.body.write(CollectingWriter(collected: collected))
        return collected.bytes.withLock { $0 }
    }

    /// What a `CollectingWriter` was given.
    private final class CollectedBody: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    /// A `ResponseBodyWriter` that keeps what is written.
    private struct CollectingWriter: ResponseBodyWriter {
        let collected: CollectedBody

        mutating func write(_ buffer: ByteBuffer) async throws {
            collected.bytes.withLock { $0 += buffer.readableBytesView }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
