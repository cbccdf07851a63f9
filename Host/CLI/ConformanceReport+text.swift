import CapHostCore

extension ConformanceReport {
    /// The report as the terminal shows it.
    var text: String {
        var lines = ["caphost check \(file)"]
        for check in checks {
            lines.append("  \(check.passed ? "✓" : "✗") \(check.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(check.detail)")
        }
        for note in notes { lines.append("  note: \(note)") }
        if let failure {
            lines.append("FAIL: \(failure.name): \(failure.detail)")
        } else {
            lines.append("PASS")
        }
        return lines.joined(separator: "\n")
    }
}
