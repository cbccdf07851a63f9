import Foundation

/// `to`, `cc` or `bcc`: one string (which may itself list several comma-separated addresses, as
/// Mailgun accepts) or an array of strings. Each string becomes one form field.
struct AddressList: Decodable, Sendable, Hashable {
    /// The strings as given.
    let entries: [String]

    init(entries: [String]) {
        self.entries = entries
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            entries = [single]
        } else {
            entries = try container.decode([String].self)
        }
    }

    /// How many recipients the strings name: commas outside double quotes and angle brackets
    /// separate addresses (`"Doe, Jane" <jane@example.com>` is one).
    var recipientCount: Int {
        entries.reduce(0) { total, entry in total + Self.split(entry).count }
    }

    /// The addresses in one comma-separated string, trimmed; empty pieces dropped.
    static func split(_ text: String) -> [String] {
        var addresses: [String] = []
        var current = ""
        var inQuotes = false
        var angleDepth = 0
        for character in text {
            switch character {
            case "\"": inQuotes.toggle()
            case "<" where !inQuotes: angleDepth += 1
            case ">" where !inQuotes: angleDepth = max(0, angleDepth - 1)
            case "," where !inQuotes && angleDepth == 0:
                addresses.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        addresses.append(current)
        return addresses.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
