import CapHostCore
import Foundation

extension PluginReport {
    /// `caphost plugins` as a table, failures explained under it.
    static func text(_ reports: [PluginReport]) -> String {
        guard !reports.isEmpty else { return "no plugin files known to the host (drop .so files into its plugins folder)" }
        var table = TextTable("STATE", "PLUGIN", "VERSION", "FILE", "RUNS", "CAPABILITIES")
        var problems: [String] = []
        for report in reports.sorted(by: { $0.file < $1.file }) {
            let file = (report.file as NSString).lastPathComponent
            table.add(report.state.rawValue, report.descriptor?.name ?? "-", report.descriptor?.version.description ?? "-",
                      file, runs(report), report.capabilities.isEmpty ? "-" : report.capabilities.joined(separator: ", "))
            if let isolation = report.isolation, isolation.mode == .process || isolation.reason.hasPrefix("the host") {
                var note = "\(file): runs \(isolation.mode.rawValue) (\(isolation.reason))"
                if let process = isolation.process {
                    if process.restarts > 0 { note += "; restarted \(process.restarts) time(s)" }
                    if let end = process.lastEnd { note += "; its last process \(end)" }
                    if let detail = process.detail { note += "; \(process.state.rawValue): \(detail)" }
                }
                problems.append(note)
            }
            if let error = report.error {
                let prefix = report.state == .loaded ? "the last reload was refused; the version above keeps serving: " : ""
                problems.append("\(file): \(prefix)\(error.check.rawValue) check failed: \(error.detail)")
            }
        }
        var text = table.render()
        if !problems.isEmpty { text += "\n\n" + problems.joined(separator: "\n") }
        let loaded = reports.filter { $0.state == .loaded }.count
        text += "\n\n\(loaded) of \(reports.count) plugin file(s) loaded"
        return text
    }

    /// Where the code runs: `in-process`, `process 1234` (its pid), or the process's state.
    private static func runs(_ report: PluginReport) -> String {
        guard let isolation = report.isolation else { return "-" }
        guard let process = isolation.process else { return isolation.mode.rawValue }
        if process.state == .running, let pid = process.pid { return "process \(pid)" }
        return "process (\(process.state.rawValue))"
    }
}
