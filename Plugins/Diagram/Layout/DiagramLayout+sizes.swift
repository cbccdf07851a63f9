extension DiagramLayout {
    /// The drawn size of a node: its label plus padding, shaped for its kind (a diamond needs
    /// twice the label's box to contain it, a circle the label's larger side).
    static func nodeSize(_ node: DiagramNode) -> (width: Double, height: Double) {
        let text = TextMetrics.size(of: TextMetrics.lines(node.label))
        switch node.kind {
        case .box, .round:
            return (max(text.width + 32, 96).rounded(.up), max(text.height + 24, 44).rounded(.up))
        case .stadium:
            let height = max(text.height + 24, 44)
            return (max(text.width + 32 + height / 2, 96).rounded(.up), height.rounded(.up))
        case .database:
            return (max(text.width + 32, 96).rounded(.up), max(text.height + 40, 60).rounded(.up))
        case .circle:
            let diameter = max(max(text.width, text.height) + 36, 60)
            return (diameter.rounded(.up), diameter.rounded(.up))
        case .decision:
            return (max(2 * text.width + 24, 100).rounded(.up), max(2 * text.height + 24, 64).rounded(.up))
        }
    }

    /// The box of an edge label, with a little padding.
    static func labelSize(_ label: String) -> (width: Double, height: Double) {
        let text = TextMetrics.size(of: TextMetrics.lines(label))
        return ((text.width + 12).rounded(.up), (text.height + 6).rounded(.up))
    }
}
