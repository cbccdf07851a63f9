/// Fill, stroke and text colours of a ``NodeTone``, shared by every format so a state looks
/// the same in Mermaid, SVG and Excalidraw (Excalidraw's own palette).
struct TonePalette: Sendable {
    let fill: String
    let stroke: String
    let text: String

    init(_ tone: NodeTone) {
        switch tone {
        case .neutral: (fill, stroke, text) = ("#e7f5ff", "#1971c2", "#1e1e1e")
        case .accent: (fill, stroke, text) = ("#f3f0ff", "#6741d9", "#1e1e1e")
        case .success: (fill, stroke, text) = ("#d3f9d8", "#2f9e44", "#1e1e1e")
        case .warning: (fill, stroke, text) = ("#fff3bf", "#f08c00", "#1e1e1e")
        case .danger: (fill, stroke, text) = ("#ffe3e3", "#e03131", "#1e1e1e")
        case .muted: (fill, stroke, text) = ("#f1f3f5", "#868e96", "#495057")
        }
    }

    /// Frame colours of groups.
    static let groupFill = "#f8f9fa"
    static let groupStroke = "#adb5bd"
    /// Edge and label colours.
    static let edgeStroke = "#495057"
    static let labelText = "#1e1e1e"
}
