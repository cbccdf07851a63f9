import CapHostTestSupport
import Foundation
import Testing

/// The real Mermaid parser (mermaidx: mermaid 11 in QuickJS, in the peers venv), run once for
/// a batch of diagrams by `Tests/Peers/diagram_mermaid_check.py`.
enum MermaidParser {
    /// Mermaid's error for every diagram it rejects, by name. `png` names diagrams to render to
    /// a PNG file too. Throws when the checker does not report on every diagram.
    static func errors(_ diagrams: [(name: String, text: String)], png: [String: String] = [:]) async throws -> [String: String] {
        let folderFolder = try TemporaryFolder("mermaid")
        defer { folderFolder.remove() }
        let folder = folderFolder.path
        var arguments: [String] = []
        var names: [String: String] = [:]
        for (index, diagram) in diagrams.enumerated() {
            let path = "\(folder)/\(index)-\(diagram.name.filter { $0.isLetter || $0.isNumber }).mmd"
            try diagram.text.write(toFile: path, atomically: true, encoding: .utf8)
            arguments.append(path)
            names[path] = diagram.name
            if let output = png[diagram.name] { arguments += ["--png", "\(path)=\(output)"] }
        }
        let run = try await PythonPeer.run("diagram_mermaid_check.py", arguments, timeout: .seconds(600))
        var errors: [String: String] = [:]
        var seen = 0
        for line in run.stdout.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let file = object["file"] as? String, let name = names[file] else { continue }
            seen += 1
            if object["ok"] as? Bool != true { errors[name] = object["error"] as? String ?? "?" }
        }
        guard seen == diagrams.count else {
            throw FixtureError("the Mermaid checker reported \(seen) of \(diagrams.count) diagrams (exit \(run.status)): \(run.stderr)")
        }
        return errors
    }

    /// Parses every text; records one test issue per diagram Mermaid rejects, with its message
    /// and the text.
    static func expectParses(_ diagrams: [(name: String, text: String)], png: [String: String] = [:],
                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let errors = try await errors(diagrams, png: png)
        for diagram in diagrams {
            guard let error = errors[diagram.name] else { continue }
            Issue.record("""
                Mermaid rejected \(diagram.name): \(error)
                --- text ---
                \(diagram.text)
                """, sourceLocation: sourceLocation)
        }
    }
}
