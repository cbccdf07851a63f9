import PluginKit

/// The quality loop's config section: where memories go, and the defaults a call may override.
struct QualityLoopConfiguration: Decodable, Sendable {
    /// The memory capability (`domain:category`, the slot's winner, or one provider).
    var memory: String
    /// Recurrences of one code within the window that make a pattern.
    var threshold: Int
    /// The window, in days.
    var windowDays: Int
    /// Issues below this severity are not remembered.
    var minimumSeverity: QualityIssue.Severity

    enum CodingKeys: String, CodingKey {
        case memory, threshold
        case windowDays = "window_days"
        case minimumSeverity = "min_severity"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        memory = try container.decodeIfPresent(String.self, forKey: .memory) ?? "adapter:memory"
        threshold = try container.decodeIfPresent(Int.self, forKey: .threshold) ?? 3
        windowDays = try container.decodeIfPresent(Int.self, forKey: .windowDays) ?? 30
        minimumSeverity = try container.decodeIfPresent(QualityIssue.Severity.self, forKey: .minimumSeverity) ?? .high
    }

    /// Checks what decoding cannot.
    func validated() throws(PluginError) -> QualityLoopConfiguration {
        let parts = memory.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw PluginError.invalidArgument("config.memory: expected domain:category or domain:category:provider, found \"\(memory)\"")
        }
        try Self.check(threshold: threshold, at: "config.threshold")
        try Self.check(windowDays: windowDays, at: "config.window_days")
        return self
    }

    static func check(threshold: Int, at field: String) throws(PluginError) {
        guard (1...1_000).contains(threshold) else { throw PluginError.invalidArgument("\(field): expected 1…1000, found \(threshold)") }
    }

    static func check(windowDays: Int, at field: String) throws(PluginError) {
        guard (1...3_650).contains(windowDays) else { throw PluginError.invalidArgument("\(field): expected 1…3650 days, found \(windowDays)") }
    }
}
