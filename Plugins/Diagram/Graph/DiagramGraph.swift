/// A validated node/edge graph: what every renderer draws, whether it came from a `render`
/// payload, a workflow or the host's capability slots.
struct DiagramGraph: Sendable {
    /// Which way layers run: top-down or left-to-right.
    enum Direction: String, Sendable {
        case topDown = "TD"
        case leftToRight = "LR"
    }

    var direction: Direction
    /// Shown above the diagram; `nil` for none.
    var title: String?
    /// Nodes in the caller's order (the order fixes the generated Mermaid ids `n0…`).
    var nodes: [DiagramNode]
    var edges: [DiagramEdge]
    /// Groups in the caller's order.
    var groups: [DiagramGroup]

    init(direction: Direction = .topDown, title: String? = nil, nodes: [DiagramNode] = [],
         edges: [DiagramEdge] = [], groups: [DiagramGroup] = []) {
        self.direction = direction
        self.title = title
        self.nodes = nodes
        self.edges = edges
        self.groups = groups
    }

    /// Limits that keep one call bounded in time and output size.
    static let maximumNodes = 2_000
    static let maximumEdges = 8_000
    static let maximumGroups = 500
    static let maximumLabelLength = 500
    static let maximumIDLength = 200
}

/// One box in the diagram.
struct DiagramNode: Sendable {
    /// The caller's id (any text); renderers map it to safe ids of their own.
    var id: String
    /// Text shown in the node; lines separated by `\n`.
    var label: String
    var kind: NodeKind
    /// The ``DiagramGroup/id`` this node belongs to, if any.
    var group: String?
    var tone: NodeTone

    init(id: String, label: String? = nil, kind: NodeKind = .box, group: String? = nil, tone: NodeTone = .neutral) {
        self.id = id
        self.label = label ?? id
        self.kind = kind
        self.group = group
        self.tone = tone
    }
}

/// The shape of a node (REFERENCE §5's Mermaid shapes).
enum NodeKind: String, Sendable, CaseIterable {
    case box, round, stadium, database, circle, decision
}

/// The fill colour family of a node, so that a state (active, standby, excluded) reads at a glance.
enum NodeTone: String, Sendable, CaseIterable {
    case neutral, accent, success, warning, danger, muted
}

/// One arrow.
struct DiagramEdge: Sendable {
    var from: String
    var to: String
    /// Text on the arrow; `nil` for none.
    var label: String?
    var style: EdgeStyle

    init(from: String, to: String, label: String? = nil, style: EdgeStyle = .solid) {
        self.from = from
        self.to = to
        self.label = label
        self.style = style
    }
}

/// How an arrow is drawn.
enum EdgeStyle: String, Sendable, CaseIterable {
    case solid, dotted, thick
}

/// A titled frame around nodes that belong together.
struct DiagramGroup: Sendable {
    var id: String
    var label: String
}
