import CapHostTestSupport
import Foundation

/// The independent checkers the format tests run: xmllint, cairosvg and excalidraw-render.
enum DiagramTools {
    /// `xmllint --noout` output; empty when the file is well-formed.
    static func xmllint(_ file: String) async throws -> String {
        let run = try await PeerProcess.run("/usr/bin/xmllint", ["--noout", file], timeout: .seconds(60))
        return run.status == 0 ? "" : "xmllint exit \(run.status): \(run.stderr)"
    }

    /// Renders `svg` to `png` with cairosvg (peers venv); returns the PNG's pixel size.
    static func svgToPNG(_ pairs: [(svg: String, png: String)]) async throws -> [(width: Int, height: Int)] {
        let run = try await PythonPeer.run("diagram_svg_png.py", pairs.map { "\($0.svg)=\($0.png)" }, timeout: .seconds(300))
        guard run.status == 0 else { throw FixtureError("cairosvg failed (exit \(run.status)): \(run.stderr)") }
        return try run.stdout.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return (object["width"] as? Int ?? 0, object["height"] as? Int ?? 0)
        }
    }

    /// Renders an `.excalidraw` file to PNG with excalidraw-render (peers venv).
    static func excalidrawToPNG(_ file: String, _ png: String) async throws {
        let python = try await PeerVenv.shared.pythonPath()
        let tool = (python as NSString).deletingLastPathComponent + "/excalidraw-render"
        let run = try await PeerProcess.run(tool, [file, "-o", png, "-f", "png"], timeout: .seconds(300))
        guard run.status == 0, FileManager.default.fileExists(atPath: png) else {
            throw FixtureError("excalidraw-render failed (exit \(run.status)): \(run.stderr)\(run.stdout)")
        }
    }

    /// Size of a PNG from its IHDR chunk.
    static func pngSize(_ file: String) throws -> (width: Int, height: Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        guard data.count > 24, data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw FixtureError("\(file) is not a PNG")
        }
        let bytes = [UInt8](data[16..<24])
        let width = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[4..<8].reduce(0) { $0 << 8 | Int($1) }
        return (width, height)
    }

    /// Problems that would make an SVG unsafe or non-standalone in a page.
    static func unsafeParts(of svg: String) -> [String] {
        var problems: [String] = []
        let lower = svg.lowercased()
        for banned in ["<script", "<foreignobject", "<iframe", "<style", "@import", "javascript:", "href", "<image", "<use"]
        where lower.contains(banned) {
            problems.append("contains \(banned)")
        }
        // Event handler attributes: ` onload=`, ` onclick=` …
        if svg.range(of: #"\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) != nil {
            problems.append("has an on* event attribute")
        }
        // url(…) may only point inside the document.
        var rest = Substring(svg)
        while let range = rest.range(of: "url(") {
            if rest[range.upperBound...].first != "#" { problems.append("url() outside the document") }
            rest = rest[range.upperBound...]
        }
        if !svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") { problems.append("does not start with a namespaced <svg>") }
        if !svg.contains("viewBox=\"0 0 ") { problems.append("no viewBox") }
        return problems
    }
}
