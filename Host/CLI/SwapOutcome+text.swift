import CapHostCore

extension SwapOutcome {
    /// `caphost swap`'s report.
    var text: String {
        var lines = ["\(slot): \(from ?? "(none)") → \(to)"]
        lines.append("  health check of \(to): \(health.healthy ? "ok" : health.status)\(health.message.isEmpty ? "" : " (\(health.message))")")
        if let from {
            lines.append(inFlightOnPrevious == 0
                ? "  no calls were running on \(from)"
                : "  \(inFlightOnPrevious) call(s) running on \(from) at the switch finish there")
        }
        return lines.joined(separator: "\n")
    }
}
