import Foundation

/// A wall-clock timestamp for events and explanations (`12:00:01.250`).
public struct WallClockTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let secondsSince1970: Double

    public init(secondsSince1970: Double) { self.secondsSince1970 = secondsSince1970 }

    public static var now: WallClockTime { WallClockTime(secondsSince1970: Date().timeIntervalSince1970) }

    public var date: Date { Date(timeIntervalSince1970: secondsSince1970) }

    /// ISO 8601 with milliseconds, UTC.
    public var iso8601: String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
    }

    /// `HH:MM:SS` in UTC, for sentences.
    public var timeOfDay: String {
        let seconds = Int(secondsSince1970) % 86_400
        return String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    public var description: String { iso8601 }

    public static func < (lhs: WallClockTime, rhs: WallClockTime) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    public init(from decoder: any Decoder) throws {
        secondsSince1970 = try decoder.singleValueContainer().decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(secondsSince1970)
    }
}
