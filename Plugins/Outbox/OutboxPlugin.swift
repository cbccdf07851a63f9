import Crypto
import Foundation
import NotifierMessage
import PluginKit
import Synchronization

/// `adapter:notifier:outbox`: the local fallback notifier. The same `send` as
/// `adapter:notifier:mailgun`, written as an RFC 5322 `.eml` file into a maildir-style folder
/// (`tmp/` then renamed into `new/`) instead of being sent.
///
/// A call with an idempotency key (a durable delivery) gets a file name derived from the key, so
/// a repeat after a retry or a host restart finds the file already delivered and writes nothing.
public final class OutboxPlugin: CapabilityPlugin {
    /// One capability, one method, the notifiers' shared payload schema.
    public static let manifest = PluginManifest(
        name: "outbox", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(
                domain: "adapter", category: "notifier", provider: "outbox", priority: 10, stackLevel: 0,
                description: "Writes each message as an RFC 5322 .eml file into a local maildir-style outbox",
                methods: [
                    CapabilityMethod(name: "send", description: "Writes the message to the outbox (tmp/ then new/); answers its Message-ID and path",
                                     inputSchema: MailMessage.inputSchema),
                ]),
        ])

    private let context: PluginContext
    private let configuration: OutboxConfiguration
    private let folder: MaildirFolder
    private let sequence = SequenceCounter()

    /// Reads the config and opens (or creates) the folder.
    public init(context: PluginContext) throws {
        self.context = context
        configuration = try context.decodeConfig(OutboxConfiguration.self).validated()
        folder = try MaildirFolder(root: configuration.directory)
        context.log(.info, "outbox 1.0.0 writing to \(folder.root)/new")
    }

    /// `send`: decode, check, render, write.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        guard request.method == "send" else { throw PluginError.unimplemented(request) }
        let started = ContinuousClock.now
        let message = try MailMessage.decode(request.payload, defaultFrom: configuration.from)
        let name = fileName(for: request.idempotencyKey)
        if request.idempotencyKey != nil, let existing = folder.delivered(base: name) {
            context.metric(.counter, "outbox_messages_total", labels: ["outcome": "repeat"], value: 1)
            return try .json(Receipt(id: Self.messageID(fromFile: existing), path: existing, bytes: Self.size(of: existing),
                                     message: "Already in the outbox (repeat of idempotency key)", repeated: true))
        }
        let messageID = String(name.dropLast(".\(configuration.hostname).eml".count)) + "@" + configuration.hostname
        let document = EMLDocument(message: message, messageID: messageID, date: Date(),
                                   testMode: message.testMode ?? configuration.testMode, idempotencyKey: request.idempotencyKey)
        let bytes = document.rendered()
        let path = try folder.deliver(bytes, name: name)
        context.metric(.counter, "outbox_messages_total", labels: ["outcome": "written"], value: 1)
        context.metric(.histogram, "outbox_write_duration_seconds", value: (ContinuousClock.now - started).seconds)
        return try .json(Receipt(id: "<\(messageID)>", path: path, bytes: bytes.count, message: "Written to the outbox", repeated: false))
    }

    /// Healthy while the folder accepts a file now.
    public func health() async throws {
        try folder.checkWritable()
    }

    /// What `send` answers.
    struct Receipt: Encodable {
        let id: String
        let path: String
        let bytes: Int
        let message: String
        let repeated: Bool
    }

    /// `K<sha256(key)>.<host>.eml` for a keyed call (the same name on every repeat), else the
    /// maildir convention `SECONDS.M<micros>P<pid>Q<n>.<host>.eml`.
    private func fileName(for key: String?) -> String {
        let host = configuration.hostname
        if let key {
            let digest = SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
            return "K\(digest.prefix(40)).\(host).eml"
        }
        let now = Date().timeIntervalSince1970
        let seconds = Int(now)
        let micros = Int((now - Double(seconds)) * 1_000_000)
        return "\(seconds).M\(micros)P\(getpid())Q\(sequence.next()).\(host).eml"
    }

    /// The Message-ID header of a message already written (read from its header block only).
    private static func messageID(fromFile path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 64 << 10)) ?? Data(), as: UTF8.self)
        for line in head.components(separatedBy: "\r\n") {
            if line.isEmpty { break }
            if line.lowercased().hasPrefix("message-id:") {
                return line.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        return ""
    }

    private static func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    }
}

/// The `Q<n>` of maildir names: unique within this process.
final class SequenceCounter: Sendable {
    private let value = Mutex<Int>(0)

    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: OutboxPlugin.self) }
