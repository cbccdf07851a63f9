import Foundation
import HTTPRetryAfter
import NIOCore
import NIOHTTP1
import PluginKit

/// One location's conversation with its controller: the kind (configured or found by the
/// documented probe), the login session (cookies, CSRF token) or API key, and requests that
/// log in again once when the session has expired, wait out a `429` when its `Retry-After`
/// fits before the deadline, and end at the deadline.
///
/// Reads of one location never overlap (the status cache runs one at a time), so the session
/// state is only ever changed by one read.
actor ControllerSession {
    typealias Failure = LocationStatus.Failure

    let location: LocationConfiguration
    let endpoint: ControllerEndpoint
    private let http: ControllerHTTP
    private let log: @Sendable (PluginLogLevel, String) -> Void
    /// As configured, or found by the probe (then kept for the life of the instance).
    private(set) var kind: ControllerKind?
    private var cookies: [String: String] = [:]
    private var csrfToken: String?
    /// The site's short name once a description in config was matched to it.
    private var resolvedSite: String?
    /// The integration API's id of the site.
    private var integrationSiteID: String?

    init(location: LocationConfiguration, http: ControllerHTTP,
         log: @escaping @Sendable (PluginLogLevel, String) -> Void) throws {
        self.location = location
        self.http = http
        self.log = log
        endpoint = try ControllerEndpoint(origin: location.controller, host: location.host, port: location.port,
                                          trust: location.trust)
        if case .apiKey = location.credentials {
            kind = .integration
        } else {
            kind = location.kind
        }
    }

    /// Reads the location's network now.
    func read(deadline: NIODeadline, staleAfter: Duration) async -> LocationStatus {
        do {
            let kind = try await detectedKind(deadline: deadline)
            switch kind {
            case .classic, .unifiOS:
                return try await readClassicSite(kind: kind, deadline: deadline, staleAfter: staleAfter)
            case .integration:
                return try await readIntegrationSite(deadline: deadline, staleAfter: staleAfter)
            }
        } catch {
            return .failed(location, kind: kind, at: Date(), error)
        }
    }

    // MARK: - Kind and login

    /// The configured kind, else the probe's answer: `GET /` answers 200 on a UniFi OS console and
    /// redirects on a classic controller.
    private func detectedKind(deadline: NIODeadline) async throws(Failure) -> ControllerKind {
        if let kind { return kind }
        let answer = try await send(.GET, "/", body: nil, deadline: deadline)
        let found: ControllerKind
        switch answer.status {
        case 200: found = .unifiOS
        case 300..<400: found = .classic
        default:
            throw Failure(.unavailable, "cannot tell what kind of controller \(location.controller) is: GET / answered HTTP \(answer.status) (a UniFi OS console answers 200, a classic controller redirects); set kind: classic, unifi-os or integration")
        }
        log(.info, "unifi: \(location.name): \(location.controller) is a \(found == .unifiOS ? "UniFi OS console" : "classic controller") (GET / answered \(answer.status))")
        kind = found
        return found
    }

    /// Logs in with the account: `POST /api/login` (classic) or `POST /api/auth/login` (UniFi OS).
    private func login(kind: ControllerKind, deadline: NIODeadline) async throws(Failure) {
        guard case .account(let username, let password, let source) = location.credentials else { return }
        guard let password else {
            throw Failure(.permission, "no password for user '\(username)' on \(location.controller): \(source) is empty")
        }
        cookies = [:]
        csrfToken = nil
        let path = kind == .unifiOS ? "/api/auth/login" : "/api/login"
        let body = try Self.json(["username": username, "password": password, "rememberMe": true] as [String: any Sendable])
        let answer = try await send(.POST, path, body: body, deadline: deadline)
        let code = Self.errorCode(answer)
        switch answer.status {
        case 200..<300 where code == nil:
            break
        case 400, 401, 403, 200..<300:
            throw Failure(.permission, "\(location.controller) refused the login of user '\(username)' (HTTP \(answer.status)\(code.map { ", \($0)" } ?? "")): check the user name and the password in \(source)")
        default:
            throw Failure(.unavailable, "\(location.controller) answered the login with HTTP \(answer.status)\(code.map { " (\($0))" } ?? "")")
        }
        let sessionCookie = kind == .unifiOS ? "TOKEN" : "unifises"
        guard cookies[sessionCookie] != nil else {
            throw Failure(.unavailable, "\(location.controller) accepted the login but set no \(sessionCookie) cookie; is kind \(kind.rawValue) right?")
        }
        if kind == .classic, csrfToken == nil { csrfToken = cookies["csrf_token"] }
        log(.info, "unifi: \(location.name): logged in to \(location.controller) as '\(username)'")
    }

    /// A `GET` of the Network application's API with the session, logging in first when there is
    /// none and once more when the controller says the session has expired.
    func fetch(_ path: String, kind: ControllerKind, deadline: NIODeadline) async throws(Failure) -> ControllerAnswer {
        if kind != .integration, cookies.isEmpty {
            try await login(kind: kind, deadline: deadline)
        }
        var answer = try await send(.GET, path, body: nil, deadline: deadline)
        if kind != .integration, needsLogin(answer, kind: kind) {
            log(.info, "unifi: \(location.name): \(location.controller) answered HTTP \(answer.status)\(Self.errorCode(answer).map { " (\($0))" } ?? "") to GET \(path); logging in again")
            try await login(kind: kind, deadline: deadline)
            answer = try await send(.GET, path, body: nil, deadline: deadline)
            if needsLogin(answer, kind: kind) {
                throw Failure(.permission, "\(location.controller) still refuses GET \(path) right after a fresh login (HTTP \(answer.status)\(Self.errorCode(answer).map { ", \($0)" } ?? "")): the account may lack rights on site \(location.site)")
            }
        }
        if kind == .integration, answer.status == 401 || answer.status == 403 {
            throw Failure(.permission, "\(location.controller) refused the API key from \(location.credentials.source) (HTTP \(answer.status) to GET \(path))")
        }
        return answer
    }

    /// 401, `api.err.LoginRequired`, or (UniFi OS) a 403 for a CSRF token the console no longer takes.
    private func needsLogin(_ answer: ControllerAnswer, kind: ControllerKind) -> Bool {
        answer.status == 401 || (kind == .unifiOS && answer.status == 403)
            || Self.errorCode(answer) == "api.err.LoginRequired"
    }

    // MARK: - Requests

    /// One request with the session's headers; takes cookies and CSRF tokens from the answer and
    /// waits out a 429 when its `Retry-After` ends before the deadline (at most 3 times).
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?, deadline: NIODeadline) async throws(Failure) -> ControllerAnswer {
        var waits = 0
        while true {
            var headers = HTTPHeaders()
            headers.add(name: "User-Agent", value: "caphost-unifi/1.0")
            if !cookies.isEmpty {
                headers.add(name: "Cookie", value: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            }
            if let csrfToken, kind != .integration {
                headers.add(name: "X-CSRF-Token", value: csrfToken)
            }
            if case .apiKey(let key?, _) = location.credentials {
                headers.add(name: "X-API-KEY", value: key)
            } else if case .apiKey(nil, let source) = location.credentials {
                throw Failure(.permission, "no API key for \(location.controller): \(source) is empty")
            }
            let answer: ControllerAnswer
            do {
                answer = try await http.exchange(endpoint, method: method, path: path, headers: headers, body: body, deadline: deadline)
            } catch {
                throw Self.failure(error)
            }
            remember(answer)
            guard answer.status == 429 else { return answer }
            let wait = answer.headers.first(name: "Retry-After").flatMap { RetryAfter.delay($0) } ?? .seconds(1)
            let waitNanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
            guard waits < 3, NIODeadline.now() + .nanoseconds(waitNanoseconds) < deadline else {
                throw Failure(.rateLimited, "\(location.controller) is rate limiting (HTTP 429 to \(method.rawValue) \(path), Retry-After \(answer.headers.first(name: "Retry-After") ?? "none")); the wait does not fit before the deadline")
            }
            waits += 1
            log(.info, "unifi: \(location.name): HTTP 429 from \(location.controller); waiting \(wait) as Retry-After asks")
            try? await Task.sleep(for: .nanoseconds(waitNanoseconds))
        }
    }

    /// Keeps the cookies the answer sets and the CSRF token it hands out or rotates.
    private func remember(_ answer: ControllerAnswer) {
        for line in answer.headers["Set-Cookie"] {
            let pair = line.split(separator: ";", maxSplits: 1).first ?? ""
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = pair[..<equals].trimmingCharacters(in: .whitespaces)
            let value = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty || line.lowercased().contains("max-age=0") {
                cookies[name] = nil
            } else {
                cookies[name] = value
            }
        }
        if let updated = answer.headers.first(name: "X-Updated-CSRF-Token") ?? answer.headers.first(name: "X-CSRF-Token"),
           !updated.isEmpty {
            csrfToken = updated
        }
    }

    /// An exchange failure as the location's failure.
    private static func failure(_ error: ExchangeFailure) -> Failure {
        switch error {
        case .unreachable(let message): Failure(.unavailable, message)
        case .certificateRejected(let message): Failure(.unavailable, message)
        case .timedOut(let message): Failure(.timeout, message)
        case .broken(let message): Failure(.unavailable, message)
        }
    }

    // MARK: - Answers

    /// Largest successful answer read for an error code: an error envelope is small, and a data
    /// answer (a device list runs to hundreds of KB) is decoded once, by ``decode(_:_:path:)``.
    static let errorEnvelopeBytes = 2048

    /// `meta.msg` of an error envelope, or the `code` / `statusName` of a UniFi OS or integration
    /// API error; nil for a successful answer larger than any error envelope.
    static func errorCode(_ answer: ControllerAnswer) -> String? {
        if (200..<300).contains(answer.status), answer.body.count > errorEnvelopeBytes { return nil }
        return errorCode(answer.body)
    }

    static func errorCode(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        if let meta = object["meta"] as? [String: Any] {
            return (meta["rc"] as? String) == "error" ? (meta["msg"] as? String ?? "error") : nil
        }
        return object["code"] as? String ?? (object["statusName"] as? String)
    }

    /// Decodes a successful answer as `Payload`; anything else is the location's failure, naming
    /// the controller, the request and what was wrong.
    func decode<Payload: Decodable>(_ type: Payload.Type, _ answer: ControllerAnswer, path: String) throws(Failure) -> Payload {
        guard (200..<300).contains(answer.status) else {
            let code = Self.errorCode(answer)
            throw Failure(answer.status == 404 ? .notFound : .unavailable,
                          "\(location.controller) answered HTTP \(answer.status) to GET \(path)\(code.map { " (\($0))" } ?? ""): \(Self.excerpt(answer.body))")
        }
        do {
            return try JSONDecoder().decode(Payload.self, from: Data(answer.body))
        } catch let error as DecodingError {
            throw Failure(.unavailable, "\(location.controller) answered GET \(path) with data the plugin cannot read (\(error.shortDescription)): \(Self.excerpt(answer.body))")
        } catch {
            throw Failure(.unavailable, "\(location.controller) answered GET \(path) with data the plugin cannot read: \(error)")
        }
    }

    /// The first 160 characters of a body, for messages.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(160), as: UTF8.self)
        return body.count > 160 ? "\"\(text)…\" (\(body.count) bytes)" : "\"\(text)\""
    }

    static func json(_ object: [String: any Sendable]) throws(Failure) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        } catch {
            throw Failure(.internal, "cannot encode a request body: \(error)")
        }
    }

    /// The site to read: the configured one, or the short name its description matched.
    var siteName: String { resolvedSite ?? location.site }

    /// Remembers the short name a configured description matched.
    func resolveSite(to name: String) {
        resolvedSite = name
    }

    /// The integration API's site id, once found.
    var knownIntegrationSiteID: String? { integrationSiteID }

    func rememberIntegrationSite(id: String?) {
        integrationSiteID = id
    }
}
