import Foundation
import NotifierMessage
import PluginKit

/// The outbox's config section (`plugins: outbox:` in caphost.yaml, or `plugins.d/NAME.yaml`).
struct OutboxConfiguration: Decodable, Sendable {
    /// The maildir-style folder; created when missing.
    var directory: String
    /// The sender used when a payload has no `from`.
    var from: String?
    /// The right-hand side of generated Message-IDs and the host part of file names.
    var hostname: String
    /// Records `X-Mailgun-Drop-Message: yes`, as Mailgun's `o:testmode` would drop the message.
    var testMode: Bool

    enum CodingKeys: String, CodingKey {
        case directory, from, hostname
        case testMode = "test_mode"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        directory = try container.decodeIfPresent(String.self, forKey: .directory) ?? ".caphost/outbox"
        from = try container.decodeIfPresent(String.self, forKey: .from)
        hostname = try container.decodeIfPresent(String.self, forKey: .hostname) ?? Self.systemHostname()
        testMode = try container.decodeIfPresent(Bool.self, forKey: .testMode) ?? false
    }

    /// Checks what decoding cannot: a usable folder path and host name.
    func validated() throws(PluginError) -> OutboxConfiguration {
        guard !directory.isEmpty else { throw PluginError.invalidArgument("config.directory: expected a folder path, found an empty string") }
        guard !hostname.isEmpty, hostname.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: ">") }) else {
            throw PluginError.invalidArgument("config.hostname: expected a host name of printable ASCII without '/', ':' or '>', found \"\(hostname)\"")
        }
        if let from { _ = try MailAddress.checked(from, at: "config.from") }
        return self
    }

    static func systemHostname() -> String {
        let name = ProcessInfo.processInfo.hostName
        let safe = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
        return safe.isEmpty ? "localhost" : safe
    }
}
