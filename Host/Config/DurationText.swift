import Foundation

/// Durations as operators write them: `250ms`, `5s`, `2m`, `1h`, `7d`, `1m30s`, `1.5s`,
/// or a plain number of seconds; never longer than `longestSeconds`.
enum DurationText {
    /// The longest duration a setting takes: a year. Anything longer is a mistake (`1e30`, a
    /// timestamp pasted as seconds), and refusing it keeps every deadline and description far
    /// inside 64-bit nanoseconds.
    static let longestSeconds: Int64 = 365 * 86_400
    /// `longestSeconds` as written in errors.
    static let longestText = "365d"

    private static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86_400e9),
    ]

    /// The duration `text` names, or nil when it is not one.
    static func parse(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        if let value = DecimalText.number(String(rest)) { return seconds(value) }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let letters = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            // Longest suffix first: "ms" before "m", "ns"/"us" before "s".
            guard let unit = units.first(where: { $0.suffix == String(letters) }) else { return nil }
            rest = rest.dropFirst(letters.count)
            total += value * unit.nanoseconds
        }
        guard total.isFinite, total <= Double(longestSeconds) * 1e9 else { return nil }
        return .nanoseconds(Int64(total.rounded()))
    }

    /// `seconds` as a duration, or nil when it is negative, not finite or longer than `longestSeconds`.
    static func seconds(_ seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0, seconds <= Double(longestSeconds) else { return nil }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// `seconds` as a duration, or nil when it is negative or longer than `longestSeconds`.
    static func seconds(_ seconds: Int) -> Duration? {
        (0...Int(longestSeconds)).contains(seconds) ? .seconds(seconds) : nil
    }

    /// `250ms`, `5s`, `2m`, `1h30m` — the shortest exact spelling, for descriptions.
    static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.nanoseconds
        if nanoseconds == 0 { return "0s" }
        if nanoseconds % 1_000_000_000 != 0 {
            if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
            if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
            return "\(nanoseconds)ns"
        }
        var seconds = nanoseconds / 1_000_000_000
        var text = ""
        if seconds >= 86_400 { text += "\(seconds / 86_400)d"; seconds %= 86_400 }
        if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
        if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
        if seconds > 0 { text += "\(seconds)s" }
        return text
    }
}
