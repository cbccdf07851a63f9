import CapHostCore
import Foundation

extension PluginReport {
    /// `caphost plugins` as a table, failures explained under it.
    static func text(_ reports: [PluginReport]) -> String {
        guard !reports.isEmpty else { return "no plugin files known to the host (drop .so files into its plugins folder)" }
        var table = TextTable("STATE", "PLUGIN", "VERSION", "FILE", "CAPABILITIES")
        var problems: [String] = []
        for report in reports.sorted(by: { $0.file < $1.file }) {
            let file = (report.file as NSString).lastPathComponent
            table.add(report.state.rawValue, report.descriptor?.name ?? "-", report.descriptor?.version.description ?? "-",
                      file, report.capabilities.isEmpty ? "-" : report.capabilities.joined(separator: ", "))
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
}
