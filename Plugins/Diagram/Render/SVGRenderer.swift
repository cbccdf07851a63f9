/// Writes a laid-out graph as a standalone SVG document a page can embed: no script, no
/// event attributes, no external references or fonts (a generic font-family list), every
/// text XML-escaped, a `viewBox` the size of the layout, and ids prefixed with a hash of the
/// graph so two diagrams on one page do not share a marker.
enum SVGRenderer {
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif"

    /// The SVG text, ending with a newline.
    static func render(_ graph: DiagramGraph, layout: DiagramLayout) -> String {
        let prefix = "dg" + String(graph.fingerprint, radix: 16)
        let width = number(layout.width), height = number(layout.height)
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" font-family="\(fontFamily)" font-size="\(number(TextMetrics.fontSize))" \
            role="img" aria-labelledby="\(prefix)-title">\n
            """
        out += "<title id=\"\(prefix)-title\">\(escaped(graph.title.map { TextMetrics.lines($0).joined(separator: " ") } ?? "diagram"))</title>\n"
        out += "<defs><marker id=\"\(prefix)-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"11\" "
            + "markerHeight=\"11\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
            + "fill=\"\(TonePalette.edgeStroke)\"/></marker></defs>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        if let title = graph.title, let frame = layout.titleFrame {
            out += text(TextMetrics.lines(title).joined(separator: " "), centerX: frame.x, centerY: frame.midY,
                        anchor: "start", fontSize: TextMetrics.titleFontSize, color: TonePalette.labelText, bold: true)
        }
        for (index, group) in graph.groups.enumerated() {
            guard let frame = layout.groupFrames[index] else { continue }
            out += "<g class=\"group\">" + rect(frame, radius: 8, fill: TonePalette.groupFill, stroke: TonePalette.groupStroke,
                                                dashed: true)
            out += text(TextMetrics.lines(group.label).joined(separator: " "), centerX: frame.x + 10, centerY: frame.y + 14,
                        anchor: "start", fontSize: TextMetrics.titleFontSize, color: "#495057", bold: true)
            out += "</g>\n"
        }
        for (index, edge) in graph.edges.enumerated() {
            let route = layout.edgeRoutes[index]
            guard let first = route.points.first else { continue }
            var path = "M\(number(first.x)),\(number(first.y))"
            for point in route.points.dropFirst() { path += " L\(number(point.x)),\(number(point.y))" }
            let (strokeWidth, dash) = switch edge.style {
            case .solid: ("1.5", "")
            case .dotted: ("1.5", " stroke-dasharray=\"4 4\"")
            case .thick: ("3.5", "")
            }
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(TonePalette.edgeStroke)\" stroke-width=\"\(strokeWidth)\"\(dash) "
                + "stroke-linejoin=\"round\" marker-end=\"url(#\(prefix)-arrow)\"/>\n"
        }
        for (index, node) in graph.nodes.enumerated() {
            let frame = layout.nodeFrames[index]
            let palette = TonePalette(node.tone)
            out += "<g class=\"node\">" + shape(node.kind, frame: frame, palette: palette)
            out += text(node.label, centerX: frame.midX, centerY: frame.midY + (node.kind == .database ? 4 : 0),
                        anchor: "middle", fontSize: TextMetrics.fontSize, color: palette.text, bold: false)
            out += "</g>\n"
        }
        for (index, edge) in graph.edges.enumerated() {
            guard let label = edge.label, let frame = layout.edgeRoutes[index].labelFrame else { continue }
            out += "<g class=\"edge-label\">" + rect(frame, radius: 3, fill: "#ffffff", stroke: nil, dashed: false)
            out += text(label, centerX: frame.midX, centerY: frame.midY, anchor: "middle", fontSize: TextMetrics.fontSize,
                        color: TonePalette.labelText, bold: false)
            out += "</g>\n"
        }
        return out + "</svg>\n"
    }

    /// The outline of a node of `kind` filling `frame`.
    private static func shape(_ kind: NodeKind, frame: LayoutRect, palette: TonePalette) -> String {
        let paint = "fill=\"\(palette.fill)\" stroke=\"\(palette.stroke)\" stroke-width=\"1.5\""
        let (x, y, w, h) = (frame.x, frame.y, frame.width, frame.height)
        switch kind {
        case .box: return rect(frame, radius: 3, fill: palette.fill, stroke: palette.stroke, dashed: false)
        case .round: return rect(frame, radius: 12, fill: palette.fill, stroke: palette.stroke, dashed: false)
        case .stadium: return rect(frame, radius: h / 2, fill: palette.fill, stroke: palette.stroke, dashed: false)
        case .circle:
            return "<ellipse cx=\"\(number(frame.midX))\" cy=\"\(number(frame.midY))\" rx=\"\(number(w / 2))\" "
                + "ry=\"\(number(h / 2))\" \(paint)/>"
        case .decision:
            let points = [(frame.midX, y), (x + w, frame.midY), (frame.midX, y + h), (x, frame.midY)]
                .map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
            return "<polygon points=\"\(points)\" \(paint)/>"
        case .database:
            let ry = 8.0, rx = w / 2
            let body = "M\(number(x)),\(number(y + ry)) A\(number(rx)),\(number(ry)) 0 0 1 \(number(x + w)),\(number(y + ry)) "
                + "L\(number(x + w)),\(number(y + h - ry)) A\(number(rx)),\(number(ry)) 0 0 1 \(number(x)),\(number(y + h - ry)) Z"
            let rim = "M\(number(x)),\(number(y + ry)) A\(number(rx)),\(number(ry)) 0 0 0 \(number(x + w)),\(number(y + ry))"
            return "<path d=\"\(body)\" \(paint)/><path d=\"\(rim)\" fill=\"none\" stroke=\"\(palette.stroke)\" stroke-width=\"1.5\"/>"
        }
    }

    private static func rect(_ frame: LayoutRect, radius: Double, fill: String, stroke: String?, dashed: Bool) -> String {
        var element = "<rect x=\"\(number(frame.x))\" y=\"\(number(frame.y))\" width=\"\(number(frame.width))\" "
            + "height=\"\(number(frame.height))\" rx=\"\(number(radius))\" fill=\"\(fill)\""
        if let stroke { element += " stroke=\"\(stroke)\" stroke-width=\"1.5\"" }
        if dashed { element += " stroke-dasharray=\"6 4\"" }
        return element + "/>"
    }

    /// Centred multi-line text: one `tspan` per line, baselines spaced by the line height.
    private static func text(_ label: String, centerX: Double, centerY: Double, anchor: String,
                             fontSize: Double, color: String, bold: Bool) -> String {
        let lines = TextMetrics.lines(label)
        let lineHeight = fontSize * TextMetrics.lineHeightFactor
        let firstBaseline = centerY - Double(lines.count - 1) * lineHeight / 2 + fontSize * 0.35
        var element = "<text x=\"\(number(centerX))\" y=\"\(number(firstBaseline))\" text-anchor=\"\(anchor)\" fill=\"\(color)\""
        if fontSize != TextMetrics.fontSize { element += " font-size=\"\(number(fontSize))\"" }
        if bold { element += " font-weight=\"600\"" }
        element += ">"
        for (index, line) in lines.enumerated() {
            element += "<tspan x=\"\(number(centerX))\" y=\"\(number(firstBaseline + Double(index) * lineHeight))\">"
                + escaped(line) + "</tspan>"
        }
        return element + "</text>"
    }

    /// Text safe inside an XML element or a double-quoted attribute; characters XML 1.0 does
    /// not allow become U+FFFD.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let value = scalar.value
                let allowed = value == 0x9 || value == 0xA || value == 0xD || (value >= 0x20 && value <= 0xD7FF)
                    || (value >= 0xE000 && value <= 0xFFFD) || value >= 0x10000
                if allowed { out.unicodeScalars.append(scalar) } else { out += "\u{FFFD}" }
            }
        }
        return out
    }

    /// A coordinate with at most one decimal, `-0` written as `0`.
    static func number(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        if tenths == 0 { return "0" }
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
