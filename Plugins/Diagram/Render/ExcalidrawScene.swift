/// The elements of an Excalidraw document under construction, keeping `boundElements`
/// in step with every binding added (the editor rejects one-way bindings).
struct ExcalidrawScene: Sendable {
    private var elements: [[String: JSONText]] = []
    private var position: [String: Int] = [:]
    private let fingerprint: UInt64

    init(fingerprint: UInt64) {
        self.fingerprint = fingerprint
    }

    /// A rectangle, ellipse or diamond.
    mutating func addShape(id: String, type: String, frame: LayoutRect, fill: String, stroke: String,
                           strokeStyle: String, rounded: Bool) {
        var element = base(id: id, type: type, frame: frame, stroke: stroke)
        element["backgroundColor"] = .string(fill)
        element["strokeStyle"] = .string(strokeStyle)
        element["roundness"] = rounded ? .object(["type": 3]) : .null
        append(element)
    }

    /// A text element; with `containerID` it is bound to that element and centred in it.
    mutating func addText(id: String, text: String, at frame: LayoutRect, align: String, fontSize: Double,
                          containerID: String?) {
        var element = base(id: id, type: "text", frame: frame, stroke: TonePalette.labelText)
        element["strokeWidth"] = 1
        element["text"] = .string(text)
        element["originalText"] = .string(text)
        element["fontSize"] = .number(fontSize)
        element["fontFamily"] = 2
        element["textAlign"] = .string(align)
        element["verticalAlign"] = containerID == nil ? "top" : "middle"
        element["lineHeight"] = .number(TextMetrics.lineHeightFactor)
        element["autoResize"] = true
        element["containerId"] = containerID.map(JSONText.string) ?? .null
        append(element)
        if let containerID { bind(id, type: "text", to: containerID) }
    }

    /// An arrow along `points` bound to the elements `from` and `to` (both list it back).
    mutating func addArrow(id: String, points: [LayoutPoint], from: String, to: String, style: EdgeStyle) {
        let origin = points[0]
        let xs = points.map(\.x), ys = points.map(\.y)
        let frame = LayoutRect(x: origin.x, y: origin.y, width: (xs.max()! - xs.min()!), height: (ys.max()! - ys.min()!))
        var element = base(id: id, type: "arrow", frame: frame, stroke: TonePalette.edgeStroke)
        element["strokeStyle"] = style == .dotted ? "dotted" : "solid"
        element["strokeWidth"] = style == .thick ? 4 : 2
        element["roundness"] = .object(["type": 2])
        element["points"] = .array(points.map { .array([.number($0.x - origin.x), .number($0.y - origin.y)]) })
        element["lastCommittedPoint"] = .null
        element["startBinding"] = .object(["elementId": .string(from), "focus": 0, "gap": 1])
        element["endBinding"] = .object(["elementId": .string(to), "focus": 0, "gap": 1])
        element["startArrowhead"] = .null
        element["endArrowhead"] = "arrow"
        element["elbowed"] = false
        append(element)
        bind(id, type: "arrow", to: from)
        if to != from { bind(id, type: "arrow", to: to) }
    }

    /// The whole `.excalidraw` document.
    func document() -> String {
        JSONText.object([
            "type": "excalidraw",
            "version": 2,
            "source": "https://github.com/caphost/caphost (diagram plugin)",
            "elements": .array(elements.map(JSONText.object)),
            "appState": .object(["viewBackgroundColor": "#ffffff", "gridSize": .null]),
            "files": .object([:]),
        ]).serialized()
    }

    /// The fields every element carries, with seeds and nonces derived from the id.
    private func base(id: String, type: String, frame: LayoutRect, stroke: String) -> [String: JSONText] {
        let seed = FNV1a.hash("\(fingerprint)/\(id)")
        return [
            "id": .string(id), "type": .string(type),
            "x": .number(frame.x), "y": .number(frame.y), "width": .number(frame.width), "height": .number(frame.height),
            "angle": 0, "strokeColor": .string(stroke), "backgroundColor": "transparent", "fillStyle": "solid",
            "strokeWidth": 2, "strokeStyle": "solid", "roughness": 0, "opacity": 100, "groupIds": .array([]),
            "frameId": .null, "roundness": .null,
            "seed": .number(Double(seed & 0x7fff_ffff | 1)),
            "version": 1, "versionNonce": .number(Double((seed >> 32) & 0x7fff_ffff | 1)),
            "isDeleted": false, "boundElements": .null, "updated": 1, "link": .null, "locked": false,
        ]
    }

    private mutating func append(_ element: [String: JSONText]) {
        guard case .string(let id)? = element["id"] else { return }
        position[id] = elements.count
        elements.append(element)
    }

    /// Adds `{"id": id, "type": type}` to the `boundElements` of `container`.
    private mutating func bind(_ id: String, type: String, to container: String) {
        guard let index = position[container] else { return }
        var bound: [JSONText] = []
        if case .array(let existing)? = elements[index]["boundElements"] { bound = existing }
        bound.append(.object(["id": .string(id), "type": .string(type)]))
        elements[index]["boundElements"] = .array(bound)
    }
}
