import Foundation
import PluginKit

/// Mail addresses as the payload gives them: `user@example.com` or `Name <user@example.com>`.
public enum MailAddress {
    /// Splits a comma-separated list, keeping commas inside a quoted display name
    /// (`"Doe, Jane" <jane@example.com>`) or angle brackets, and dropping empty entries.
    public static func split(_ list: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var angleDepth = 0
        for character in list {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where quoted: escaped = true; current.append(character)
            case "\"": quoted.toggle(); current.append(character)
            case "<" where !quoted: angleDepth += 1; current.append(character)
            case ">" where !quoted: angleDepth = max(0, angleDepth - 1); current.append(character)
            case "," where !quoted && angleDepth == 0:
                parts.append(current.trimmingSpaces)
                current = ""
            default: current.append(character)
            }
        }
        parts.append(current.trimmingSpaces)
        return parts.filter { !$0.isEmpty }
    }

    /// The address trimmed, after checking it is one line with exactly one `local@domain`.
    public static func checked(_ address: String, at path: String) throws(PluginError) -> String {
        try MailHeaderText.checkSingleLine(address, at: path)
        let trimmed = address.trimmingSpaces
        guard let spec = addrSpec(of: trimmed) else {
            throw PluginError.invalidArgument("\(path): expected an address like user@example.com or \"Name <user@example.com>\", found \(PayloadReader.quoted(address))")
        }
        let pieces = spec.split(separator: "@", omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty, !spec.contains(" "),
              pieces[1].contains(".") || pieces[1] == "localhost" else {
            throw PluginError.invalidArgument("\(path): expected an address like user@example.com, found \(PayloadReader.quoted(address))")
        }
        return trimmed
    }

    /// The `local@domain` part: inside `<…>` when there is a display name, else the whole text.
    public static func addrSpec(of address: String) -> String? {
        guard let open = address.lastIndex(of: "<") else { return address.contains(">") ? nil : address }
        guard address.hasSuffix(">") else { return nil }
        return String(address[address.index(after: open)..<address.index(before: address.endIndex)])
    }

    /// The display name without quotes (and with `\"` unescaped), or nil when there is none.
    public static func displayName(of address: String) -> String? {
        guard let open = address.lastIndex(of: "<") else { return nil }
        var name = String(address[..<open]).trimmingSpaces
        if name.hasPrefix("\"") && name.hasSuffix("\"") && name.count >= 2 {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return name.isEmpty ? nil : name
    }
}
