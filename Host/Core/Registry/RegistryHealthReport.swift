/// What an outside registry says of a candidate's health, as a plugin reported it through the
/// `report_health` host service (ABI 1.3). Only an unhealthy report is kept: it demotes the
/// candidate in its slot's ranking until withdrawn or until its reporter is retired.
public struct RegistryHealthReport: Sendable, Hashable, Codable {
    /// The reporting plugin (descriptor name), e.g. `oneiric`.
    public let reporter: String
    /// The registry's reason, at most 512 bytes.
    public let reason: String
    public let at: WallClockTime

    /// The sentence explain shows.
    var sentence: String { "\(reporter) reports it unhealthy (\(reason)) since \(at.timeOfDay)" }
}
