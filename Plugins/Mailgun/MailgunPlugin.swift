import Foundation
import NotifierMessage
import PluginKit
import Synchronization

/// The Mailgun notifier: capability `adapter:notifier:mailgun`, method `send` (REFERENCE §4).
///
/// Sends through `POST {base}/v3/{domain}/messages` as multipart/form-data with Basic auth
/// `api:KEY`, retries only what cannot duplicate a message (429, 5xx, and failures before the
/// request went out in full), remembers results by idempotency key, and checks its health with
/// Mailgun's domains API without sending mail. Calls may run concurrently; the instance owns
/// one HTTP client on its own event loop thread, started by the first send or health check
/// and stopped in ``shutdown()``.
public final class MailgunPlugin: CapabilityPlugin {
    /// The descriptor the host reads.
    public static let manifest = PluginManifest(
        name: "mailgun", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(
                domain: "adapter", category: "notifier", provider: "mailgun", priority: 50,
                description: "Sends email through Mailgun's HTTP API (US or EU region)",
                methods: [
                    CapabilityMethod(
                        name: "send",
                        description: "Sends one email (to/cc/bcc, subject, text/html, tags, variables, headers, attachments); returns Mailgun's message id",
                        inputSchema: MailMessage.inputSchema),
                ]),
        ])

    let context: PluginContext
    let configuration: MailgunConfiguration
    let transport: MailgunTransport
    /// Idempotency keys whose send is under way: a concurrent repeat must not send twice.
    let keysInFlight = Mutex<Set<String>>([])

    /// Reads and checks the configuration; the HTTP client starts at the first exchange. A
    /// missing domain or key does not fail here: the health check reports it, so the operator
    /// sees why.
    public init(context: PluginContext) throws {
        self.context = context
        configuration = try MailgunConfiguration(context.decodeConfig(MailgunConfiguration.Document.self))
        transport = MailgunTransport(connectTimeout: configuration.attemptTimeout) { [context] in
            context.log(.info, "mailgun: HTTP client started (one event loop thread) for the first exchange")
        }
        let domain = configuration.domain ?? "(no domain configured)"
        let key = configuration.apiKey == nil ? "no API key (\(configuration.apiKeySource) is empty)" : "API key from \(configuration.apiKeySource)"
        context.log(.info, "mailgun: domain \(domain), region \(configuration.region.rawValue), API \(configuration.baseURL), \(key), test mode \(configuration.testMode ? "on" : "off"), at most \(configuration.maxAttempts) attempts")
    }

    /// Serves `send`.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        guard request.method == "send" else { throw PluginError.unimplemented(request) }
        do {
            return try await send(request)
        } catch {
            throw PluginError(error.status, redacted(error.message))
        }
    }

    /// Verifies the configuration without sending mail (see `MailgunPlugin+health.swift`).
    public func health() async throws {
        do {
            try await checkDomain()
        } catch {
            throw PluginError(error.status, redacted(error.message))
        }
    }

    /// Stops the HTTP client and its event loop thread.
    public func shutdown() async {
        await transport.shutdown()
    }

    /// `text` with the API key replaced, should anything ever echo it back.
    func redacted(_ text: String) -> String {
        guard let key = configuration.apiKey, !key.isEmpty else { return text }
        let header = Data("api:\(key)".utf8).base64EncodedString()
        return text.replacingOccurrences(of: key, with: "[redacted]").replacingOccurrences(of: header, with: "[redacted]")
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MailgunPlugin.self) }
