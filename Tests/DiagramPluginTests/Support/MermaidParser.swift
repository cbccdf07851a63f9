import CapHostTestSupport
import Foundation
import Testing

/// The real Mermaid parser (mermaidx: mermaid 11 in QuickJS, in the peers venv), run once for
/// a batch of diagrams by `Tests/Peers/diagram_mermaid_check.py`.
enum MermaidParser {
    /// Parses every text; records one test issue per diagram Mermaid rejects, with its message
    /// and the text. `png` names diagrams to render to a PNG file too.
    static func expectParses(_ diagrams: [(name: String, text: String)], png: [String: String] = [:],
                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let folder = NSTemporaryDirectory() + "caphost-mermaid-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var arguments: [String] = []
        var texts: [String: String] = [:]
        for (index, diagram) in diagrams.enumerated() {
            let path = "\(folder)/\(index)-\(diagram.name.filter { $0.isLetter || $0.isNumber }).mmd"
            try diagram.text.write(toFile: path, atomically: true, encoding: .utf8)
            arguments.append(path)
            texts[path] = diagram.text
            if let output = png[diagram.name] { arguments += ["--png", "\(path)=\(output)"] }
        }
        let run = try await PythonPeer.run("diagram_mermaid_check.py", arguments, timeout: .seconds(600))
        var seen = 0
        for line in run.stdout.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let file = object["file"] as? String else { continue }
            seen += 1
            if object["ok"] as? Bool != true {
                Issue.record("""
                    Mermaid rejected \(file): \(object["error"] as? String ?? "?")
                    --- text ---
                    \(texts[file] ?? "")
                    """, sourceLocation: sourceLocation)
            }
        }
        #expect(seen == diagrams.count, "the checker reported \(seen) of \(diagrams.count) diagrams: \(run.stderr)",
                sourceLocation: sourceLocation)
    }
}
