import Foundation

/// A `Retry-After` header value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// The delay the value asks for, or nil when it is neither form. A date in the past is zero.
    public static func delay(_ value: String, now: Double = Double(time(nil))) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds.isFinite {
            return .milliseconds(Int64(max(0, seconds) * 1000))
        }
        guard let date = httpDate(text) else { return nil }
        return .seconds(max(0, Int64(date - now)))
    }

    /// Seconds since the epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form
    /// RFC 9110 requires senders to use.
    public static func httpDate(_ text: String) -> Double? {
        let words = text.split(separator: " ")
        guard words.count == 6, words[5] == "GMT",
              let day = Int32(words[1]), let year = Int32(words[3]),
              let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                .firstIndex(of: String(words[2])) else { return nil }
        let clock = words[4].split(separator: ":")
        guard clock.count == 3, let hour = Int32(clock[0]), let minute = Int32(clock[1]), let second = Int32(clock[2]) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Double(timegm(&parts))
    }
}
