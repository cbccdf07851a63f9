import Foundation
import Synchronization

/// The secret values a configuration resolved from `${VAR}` references, kept so
/// that everything the host writes (logs, API answers, error messages) can be
/// scrubbed of them. Shared by `caphost.yaml` and every `plugins.d/NAME.yaml`
/// read later, so a secret added by a plugin file is scrubbed too.
public final class SecretRedactor: Sendable {
    /// What a secret is replaced with.
    public static let marker = "[redacted]"

    private let values = Mutex<Set<String>>([])

    /// An empty redactor.
    public init() {}

    /// Remembers a secret value (empty values are ignored).
    public func add(_ value: String) {
        guard !value.isEmpty else { return }
        values.withLock { _ = $0.insert(value) }
    }

    /// How many distinct secret values are known.
    public var count: Int { values.withLock { $0.count } }

    /// Whether `text` contains any known secret value (also in its JSON-escaped forms).
    public func containsSecret(_ text: String) -> Bool {
        forms().contains { text.contains($0) }
    }

    /// `text` with every known secret value (and its JSON-escaped forms) replaced by `marker`.
    public func redact(_ text: String) -> String {
        var result = text
        for form in forms() where result.contains(form) {
            result = result.replacingOccurrences(of: form, with: Self.marker)
        }
        return result
    }

    /// Every value and its JSON-escaped spellings (Foundation's JSON writers also escape
    /// `/` as `\/`, common in base64 keys), longest first so a secret that contains
    /// another is replaced whole.
    private func forms() -> [String] {
        let known = values.withLock { $0 }
        var forms = Set(known)
        for value in known {
            let escaped = ConfigValueJSON.escapedContent(value)
            forms.insert(escaped)
            forms.insert(escaped.replacingOccurrences(of: "/", with: "\\/"))
        }
        return forms.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }
}
