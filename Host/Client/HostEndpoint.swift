import Foundation

/// Where a running caphost listens and the token to send it, with where each
/// came from (so an error can say which one to fix).
///
/// Discovery order, for the URL and the token independently: the flag
/// (`--url`, `--token`), then the environment (`CAPHOST_URL`, `CAPHOST_TOKEN`),
/// then the state directory (`--state-dir`, default `.caphost`: the running
/// server's `server.json` `url`, and `api-token`), then the default URL
/// `http://127.0.0.1:7070` (and no token).
public struct HostEndpoint: Sendable, Hashable {
    /// Where a value was found.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// A command-line flag (`--url`, `--token`).
        case flag(String)
        /// An environment variable.
        case environment(String)
        /// A file in the state directory (`server.json`, `api-token`).
        case stateDirectory(file: String)
        /// The built-in default.
        case builtIn

        public var description: String {
            switch self {
            case .flag(let name): "the \(name) flag"
            case .environment(let name): "the environment variable \(name)"
            case .stateDirectory(let file): file
            case .builtIn: "the default"
            }
        }
    }

    /// The default address of `caphost serve`.
    public static let defaultURL = "http://127.0.0.1:7070"
    /// The state directory searched when none is named.
    public static let defaultStateDirectory = ".caphost"

    /// The base URL, without a trailing slash (`http://127.0.0.1:7070`).
    public let url: String
    /// The bearer token, or nil when none was found.
    public let token: String?
    public let urlSource: Source
    public let tokenSource: Source?
    /// The state directory that was consulted.
    public let stateDirectory: String

    /// An endpoint given directly.
    public init(url: String, token: String?, urlSource: Source = .flag("--url"), tokenSource: Source? = nil,
                stateDirectory: String = HostEndpoint.defaultStateDirectory) {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.url = trimmed
        self.token = token
        self.urlSource = urlSource
        self.tokenSource = token == nil ? nil : (tokenSource ?? .flag("--token"))
        self.stateDirectory = stateDirectory
    }

    /// Finds the endpoint from flags, environment and state directory (see the type's
    /// documentation for the order). Throws when a given URL is not an http(s) URL or
    /// a state file exists but cannot be read.
    public static func discover(url flagURL: String? = nil, token flagToken: String? = nil, stateDirectory: String? = nil,
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws(HostClientError) -> HostEndpoint {
        let state = stateDirectory ?? defaultStateDirectory
        let serverFile = (state as NSString).appendingPathComponent("server.json")
        let tokenFile = (state as NSString).appendingPathComponent("api-token")

        let url: String
        let urlSource: Source
        if let flagURL, !flagURL.isEmpty {
            (url, urlSource) = (flagURL, .flag("--url"))
        } else if let value = environment["CAPHOST_URL"], !value.isEmpty {
            (url, urlSource) = (value, .environment("CAPHOST_URL"))
        } else if let announced = try ServerAnnouncement.read(serverFile) {
            (url, urlSource) = (announced.url, .stateDirectory(file: serverFile))
        } else {
            (url, urlSource) = (defaultURL, .builtIn)
        }
        try validate(url, source: urlSource)

        var token: String?
        var tokenSource: Source?
        if let flagToken, !flagToken.isEmpty {
            (token, tokenSource) = (flagToken, .flag("--token"))
        } else if let value = environment["CAPHOST_TOKEN"], !value.isEmpty {
            (token, tokenSource) = (value, .environment("CAPHOST_TOKEN"))
        } else if FileManager.default.fileExists(atPath: tokenFile) {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw HostClientError(kind: .invalidEndpoint, code: "unreadable_token",
                    message: "\(tokenFile) exists but cannot be read (it is mode 0600: run as the user that runs the host, or pass --token / CAPHOST_TOKEN)")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { (token, tokenSource) = (text, .stateDirectory(file: tokenFile)) }
        }
        return HostEndpoint(url: url, token: token, urlSource: urlSource, tokenSource: tokenSource, stateDirectory: state)
    }

    private static func validate(_ url: String, source: Source) throws(HostClientError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw HostClientError(kind: .invalidEndpoint, code: "invalid_url",
                message: "\"\(url)\" (from \(source)) is not a caphost URL: expected http://HOST:PORT or https://HOST:PORT, such as \(defaultURL)")
        }
        guard components.query == nil, components.fragment == nil else {
            throw HostClientError(kind: .invalidEndpoint, code: "invalid_url",
                message: "\"\(url)\" (from \(source)) must be the host's base URL without a query or fragment, such as \(defaultURL)")
        }
    }
}
