import CapHostCore

extension SlotExplanation {
    /// `caphost capabilities`: one line per slot.
    static func summary(_ slots: [SlotExplanation]) -> String {
        guard !slots.isEmpty else { return "no capabilities registered" }
        var table = TextTable("SLOT", "ACTIVE", "CANDIDATES", "DECIDED BY")
        for slot in slots.sorted(by: { $0.slot < $1.slot }) {
            table.add(slot.slot.description, slot.active ?? "(none)", "\(slot.candidates.count)", slot.decidedBy)
        }
        return table.render()
    }

    /// `caphost explain`: the decision, then every candidate with its status and the reason.
    var text: String {
        var lines = ["\(slot): \(active.map { "active \($0)" } ?? "nothing can serve")",
                     "  decided by: \(decidedBy)"]
        if let override {
            lines.append("  override: \(override.origin.rawValue) \(override.provider) — \(override.sentence)")
        }
        if candidates.isEmpty { lines.append("  no candidates") }
        for candidate in candidates {
            let mark = switch candidate.status {
            case "active": "●"
            case "excluded": "✗"
            default: "○"
            }
            let parts = candidate.scoreParts
            lines.append("")
            lines.append("  \(mark) \(candidate.id)  \(candidate.status)  (\(candidate.plugin) \(candidate.version)"
                + (candidate.isolation == .process ? ", isolated in its own process)" : ")"))
            lines.append("      priority \(candidate.priority), stack level \(candidate.stackLevel), score \(Self.format(candidate.score)) = "
                + "0.5·success \(Self.format(parts.successRate)) + 0.3·latency \(Self.format(parts.latency)) + 0.2·health \(Self.format(parts.health)) over \(parts.samples) sample(s)")
            var facts = "breaker \(candidate.breaker), \(candidate.calls) call(s), \(candidate.failures) failure(s), \(candidate.inFlight) in flight"
            if let health = candidate.lastHealth {
                facts += ", health \(health.healthy ? "ok" : health.status) at \(health.at.timeOfDay)"
                if !health.healthy && !health.message.isEmpty { facts += " (\(health.message))" }
            }
            lines.append("      " + facts)
            if !candidate.reason.isEmpty { lines.append("      why: \(candidate.reason)") }
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(abs(thousandths) % 1000)
        return "\(thousandths < 0 ? "-" : "")\(abs(thousandths) / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
