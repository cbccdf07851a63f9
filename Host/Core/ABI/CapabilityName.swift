/// The naming rule for plugin, domain, category, provider and method names:
/// `^[a-z0-9][a-z0-9_.-]*$`, at most `CAP_NAME_MAX` bytes.
public enum CapabilityName {
    /// The longest accepted name, in bytes.
    public static let maxLength = 64

    /// Why `name` breaks the rule, or nil when it follows it.
    public static func violation(in name: String) -> String? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return "is empty" }
        if bytes.count > maxLength { return "is \(bytes.count) bytes long (at most \(maxLength))" }
        func isLowerOrDigit(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        if !isLowerOrDigit(first) {
            return "must start with a lower-case letter or digit (found \(describe(byte: first)))"
        }
        for (offset, byte) in bytes.enumerated() where !(isLowerOrDigit(byte) || byte == 0x5F || byte == 0x2E || byte == 0x2D) {
            return "has \(describe(byte: byte)) at byte \(offset) (allowed: a-z 0-9 _ . -)"
        }
        return nil
    }

    static func describe(byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}

/// The five capability domains (Oneiric's, without its extra `action`).
public enum CapabilityDomain: String, Sendable, CaseIterable, Codable {
    case adapter, service, task, event, workflow
}
