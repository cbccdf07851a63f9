import PluginKit

/// One issue as the quality slot reports it (`adapter:quality:crackerjack`'s `run`).
struct QualityIssue: Decodable, Sendable {
    let tool: String
    let file: String?
    let line: Int?
    let code: String
    let message: String?
    let severity: Severity

    /// How serious an issue is; `remember` keeps those at or above its `min_severity`.
    enum Severity: String, Decodable, Sendable, Comparable {
        case low, medium, high

        static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .high: 2
            }
        }
    }

    /// What is stored in memory for it.
    var memoryText: String {
        let place = file.map { path in line.map { "\(path):\($0)" } ?? path } ?? "(no file)"
        return "\(tool) \(code) at \(place): \(message ?? "")"
    }
}
