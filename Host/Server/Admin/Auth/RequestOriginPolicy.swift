import CapHostGRPC
import Foundation

/// What a browser on the operator's machine could be tricked into sending, and
/// how the admin API tells it apart from the CLI and scripts:
///
/// - **`Host`** must name this server: a loopback name (`localhost`,
///   `127.x.y.z`, `[::1]`), the address it is bound to, or a name the operator
///   allowed (`http.allowed_hosts`). A page on `http://attacker.example` whose
///   name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name.
/// - **`Origin`**, when a browser sends one, must name an allowed host the
///   same way (`null`, from sandboxed frames and files, never does).
/// - **A request body** must be JSON (`application/json` or `…+json`): the
///   content types a cross-site form or a plain `fetch` may send without a
///   preflight (`text/plain`, form encodings) are refused.
struct RequestOriginPolicy: Sendable {
    /// Host names allowed besides loopback ones, lower-cased, without port.
    let allowedHosts: Set<String>

    init(boundAddress: String, allowedHosts: Set<String>) {
        var hosts = Set(allowedHosts.map { Self.normalised($0) })
        let bound = Self.normalised(boundAddress)
        if !bound.isEmpty && bound != "0.0.0.0" && bound != "::" { hosts.insert(bound) }
        self.allowedHosts = hosts
    }

    /// Why a request with these headers is refused, or nil when it may proceed.
    func refusal(host: String?, origin: String?, method: String, contentType: String?, hasBody: Bool) -> Refusal? {
        if let host, !Self.isPlainLoopbackAuthority(host) {
            guard let name = Self.hostName(ofAuthority: host), isAllowed(name) else {
                return Refusal(status: 421, code: "host_not_allowed",
                    message: "Host '\(Self.shown(host))' is not a name of this server; expected a loopback name (localhost, 127.0.0.1, [::1])\(configuredNote) — a browser page re-pointed at this port by DNS sends its own name")
            }
        }
        if let origin {
            guard let name = Self.hostName(ofOrigin: origin), isAllowed(name) else {
                return Refusal(status: 403, code: "origin_not_allowed",
                    message: "Origin '\(Self.shown(origin))' may not use the admin API; expected a page served from a loopback name\(configuredNote)")
            }
        }
        if hasBody, Self.sendsBody(method) {
            guard let contentType, Self.isJSON(contentType) else {
                return Refusal(status: 415, code: "unsupported_media_type",
                    message: "\(method) with a body must send Content-Type: application/json, found \(contentType.map { "'\(Self.shown($0))'" } ?? "none") (with curl: -H 'Content-Type: application/json' or --json)")
            }
        }
        return nil
    }

    /// Methods whose body a cross-site page could send.
    static func sendsBody(_ method: String) -> Bool {
        switch method {
        case "POST", "PUT", "PATCH", "DELETE": true
        default: ["POST", "PUT", "PATCH", "DELETE"].contains(method.uppercased())
        }
    }

    /// A refused request: the status and the API's `{code, message}`.
    struct Refusal: Sendable, Equatable {
        let status: Int
        let code: String
        let message: String
    }

    func isAllowed(_ name: String) -> Bool {
        Self.isLoopbackName(name) || allowedHosts.contains(name)
    }

    private var configuredNote: String {
        allowedHosts.isEmpty ? " or a name in http.allowed_hosts" : " or one of http.allowed_hosts (\(allowedHosts.sorted().joined(separator: ", ")))"
    }

    /// `localhost`, an IPv4 address in 127.0.0.0/8, or the IPv6 loopback.
    static func isLoopbackName(_ name: String) -> Bool {
        // The names every local client sends, without a parse.
        if name == "127.0.0.1" || name == "localhost" || name == "::1" { return true }
        return ListenAddress(name)?.isLoopback ?? false
    }

    /// `127.0.0.1[:port]` or `localhost[:port]`, what local clients send as
    /// `Host`, recognised without a copy (any other form takes the full parse).
    static func isPlainLoopbackAuthority(_ authority: String) -> Bool {
        var text = authority
        return text.withUTF8 { bytes in
            for name: StaticString in ["127.0.0.1", "localhost"] where bytes.starts(with: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)) {
                let rest = bytes[name.utf8CodeUnitCount...]
                return rest.isEmpty || (rest.first == UInt8(ascii: ":") && rest.count > 1
                                        && rest.dropFirst().allSatisfy { (0x30...0x39).contains($0) })
            }
            return false
        }
    }

    /// The host of `name[:port]` or `[v6]:port`, lower-cased; nil when malformed.
    /// Every request's `Host` goes through here: it reads the UTF-8 bytes once.
    static func hostName(ofAuthority authority: String) -> String? {
        let bytes = trimmed(authority.utf8[...])
        guard !bytes.isEmpty, !bytes.contains(UInt8(ascii: "@")), !bytes.contains(UInt8(ascii: "/")) else { return nil }
        let host: Substring.UTF8View, port: Substring.UTF8View
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = bytes[bytes.index(after: bytes.startIndex)..<close]
            let rest = bytes[bytes.index(after: close)...]
            guard rest.isEmpty || rest.first == UInt8(ascii: ":") else { return nil }
            port = rest.isEmpty ? rest : rest.dropFirst()
            guard rest.isEmpty || isPort(port) else { return nil }
            return lowercased(host)
        }
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            host = bytes[..<colon]
            port = bytes[bytes.index(after: colon)...]
            guard isPort(port) else { return nil }
        } else {
            host = bytes
        }
        guard !host.isEmpty else { return nil }
        var name = lowercased(host)
        if name.utf8.last == UInt8(ascii: ".") { name.removeLast() }
        return name
    }

    /// The host of an `Origin` (`scheme://authority`); nil for `null` or anything else.
    static func hostName(ofOrigin origin: String) -> String? {
        let lower = origin.lowercased()
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            return hostName(ofAuthority: String(origin.dropFirst(scheme.count)))
        }
        return nil
    }

    static func normalised(_ name: String) -> String {
        var text = name.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        return text
    }

    /// Whether the content type is `application/json` or `…+json`, parameters
    /// aside, in any case; read in place (every request with a body asks).
    static func isJSON(_ contentType: String) -> Bool {
        var text = contentType
        return text.withUTF8 { bytes in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            var start = 0
            while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
            let media = bytes[start..<end]
            func endsWith(_ suffix: StaticString) -> Bool {
                let count = suffix.utf8CodeUnitCount
                guard media.count >= count else { return false }
                return zip(media.suffix(count), UnsafeBufferPointer(start: suffix.utf8Start, count: count))
                    .allSatisfy { ((0x41...0x5A).contains($0) ? $0 | 0x20 : $0) == $1 }
            }
            return (media.count == 16 && endsWith("application/json")) || endsWith("+json")
        }
    }

    /// `bytes` without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var bytes = bytes
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        return bytes
    }

    /// One or more ASCII digits.
    private static func isPort(_ bytes: Substring.UTF8View) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The bytes as a String, ASCII letters lower-cased (a copy only when one is upper-case).
    private static func lowercased(_ bytes: Substring.UTF8View) -> String {
        let text = String(Substring(bytes))
        return bytes.contains(where: { (0x41...0x5A).contains($0) }) ? text.lowercased() : text
    }

    /// A header value as an error message may show it: bounded, printable.
    static func shown(_ value: String) -> String {
        let printable = value.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" }
        return printable.count > 80 ? String(printable.prefix(80)) + "…" : String(printable)
    }
}
