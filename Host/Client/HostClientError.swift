import CapHostCore
/// Why a request to a running caphost did not succeed, written for the operator:
/// the host's own `{code, message}` when it answered, or what to do when it
/// could not be reached.
public struct HostClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure it was; decides the CLI's exit status.
    public enum Kind: String, Sendable, Hashable {
        /// The host answered with an error (`code`, `message`, `status`).
        case host
        /// The host refused the token (401).
        case unauthorized
        /// Nothing accepted the connection.
        case unreachable
        /// The connection broke before the answer was complete.
        case connectionLost
        /// No answer within the deadline.
        case timeout
        /// The answer was not what the HTTP API promises.
        case invalidResponse
        /// The URL, token or state files are not usable.
        case invalidEndpoint
    }

    public let kind: Kind
    /// The HTTP status, when the host answered.
    public let status: Int?
    /// The host's stable error code (`unknown_slot`, `no_eligible_provider` …) or
    /// a client-side one (`unreachable`, `timeout` …).
    public let code: String
    /// A sentence for the operator.
    public let message: String
    /// The error's other fields (`path`, `expected`, `found`, `provider` …).
    public let details: [String: JSONValue]

    /// An error of `kind`.
    public init(kind: Kind, status: Int? = nil, code: String, message: String, details: [String: JSONValue] = [:]) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// The message, plus the schema position and provider when the host named them.
    public var description: String {
        var text = message
        var facts: [String] = []
        if case .string(let path)? = details["path"], !message.contains(path) { facts.append("at \(path)") }
        if let expected = details["expected"], !message.contains(expected.displayText) { facts.append("expected \(expected.displayText)") }
        if let found = details["found"], !message.contains(found.displayText) { facts.append("found \(found.displayText)") }
        if case .string(let provider)? = details["provider"], !message.contains(provider) { facts.append("provider \(provider)") }
        if !facts.isEmpty { text += " (" + facts.joined(separator: ", ") + ")" }
        return kind == .host ? "\(text) [\(code)]" : text
    }

    /// The host could not be reached at `endpoint`.
    static func unreachable(_ endpoint: HostEndpoint, cause: String) -> HostClientError {
        var message = "no caphost is listening on \(endpoint.url) (\(cause))"
        if case .stateDirectory(let file) = endpoint.urlSource {
            message += "; \(file) names it, so the host may have stopped without cleaning up"
        } else if endpoint.urlSource != .builtIn {
            message += "; the URL came from \(endpoint.urlSource)"
        }
        message += " — start one with `caphost serve`, or set CAPHOST_URL / --url"
        return HostClientError(kind: .unreachable, code: "unreachable", message: message)
    }

    /// The host refused the request's token.
    static func unauthorized(_ endpoint: HostEndpoint, status: Int, hostMessage: String) -> HostClientError {
        let tokenFile = endpoint.stateDirectory + "/api-token"
        let said = hostMessage.isEmpty ? "" : " (\(hostMessage))"
        let message: String
        if let source = endpoint.tokenSource {
            message = "the host at \(endpoint.url) refused the token from \(source)\(said). "
                + "The host writes its token to <state>/api-token when it starts; pass that one with --token or CAPHOST_TOKEN, "
                + "or point --state-dir at the host's state folder"
        } else {
            message = "the host at \(endpoint.url) needs a bearer token and none was found\(said). "
                + "It is in the host's state folder (\(tokenFile) was not there): pass --state-dir, --token, or set CAPHOST_TOKEN"
        }
        return HostClientError(kind: .unauthorized, status: status, code: "unauthorized", message: message)
    }
}
