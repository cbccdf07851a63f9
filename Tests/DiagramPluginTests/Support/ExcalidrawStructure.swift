import Foundation

/// Reads an `.excalidraw` document and lists every way it breaks the rules the editor
/// enforces (REFERENCE §5): unique ids, text bound to an existing container that lists it,
/// arrows bound at both ends to elements that list them, every `boundElements` entry
/// pointing back.
struct ExcalidrawStructure {
    let document: [String: Any]
    let elements: [[String: Any]]

    init(_ text: String) throws {
        guard let document = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let elements = document["elements"] as? [[String: Any]] else {
            throw ExcalidrawProblem("not an object with an elements array: \(text.prefix(200))")
        }
        self.document = document
        self.elements = elements
    }

    /// Every problem found; empty when the document is sound.
    func problems() -> [String] {
        var problems: [String] = []
        if document["type"] as? String != "excalidraw" { problems.append("type is not excalidraw") }
        if document["version"] as? Int != 2 { problems.append("version is not 2") }
        if (document["appState"] as? [String: Any])?["viewBackgroundColor"] == nil { problems.append("appState.viewBackgroundColor missing") }
        if document["files"] as? [String: Any] == nil { problems.append("files missing") }
        var byID: [String: [String: Any]] = [:]
        for element in elements {
            guard let id = element["id"] as? String else { problems.append("element without id"); continue }
            if byID[id] != nil { problems.append("duplicate id \(id)") }
            byID[id] = element
            for key in ["type", "x", "y", "width", "height", "angle", "strokeColor", "backgroundColor", "fillStyle",
                        "strokeWidth", "strokeStyle", "roughness", "opacity", "groupIds", "frameId", "roundness", "seed",
                        "version", "versionNonce", "isDeleted", "boundElements", "updated", "link", "locked"]
            where element.index(forKey: key) == nil {
                problems.append("\(id) lacks \(key)")
            }
        }
        func lists(_ container: String, _ id: String, _ type: String) -> Bool {
            let bound = byID[container]?["boundElements"] as? [[String: Any]] ?? []
            return bound.contains { $0["id"] as? String == id && $0["type"] as? String == type }
        }
        for element in elements {
            let id = element["id"] as? String ?? "?"
            let type = element["type"] as? String ?? "?"
            if type == "text", let container = element["containerId"] as? String {
                if byID[container] == nil { problems.append("text \(id): container \(container) does not exist") }
                if !lists(container, id, "text") { problems.append("text \(id): container \(container) does not list it") }
                for key in ["originalText", "fontSize", "fontFamily", "textAlign", "verticalAlign", "lineHeight"]
                where element[key] == nil {
                    problems.append("text \(id) lacks \(key)")
                }
            }
            if type == "arrow" {
                for key in ["startBinding", "endBinding"] {
                    guard let binding = element[key] as? [String: Any], let target = binding["elementId"] as? String,
                          binding["focus"] != nil, binding["gap"] != nil else {
                        problems.append("arrow \(id): \(key) is not {elementId, focus, gap}")
                        continue
                    }
                    if byID[target] == nil { problems.append("arrow \(id): \(key) names missing \(target)") }
                    if !lists(target, id, "arrow") { problems.append("arrow \(id): \(target) does not list it") }
                }
                if (element["points"] as? [[Double]])?.count ?? 0 < 2 { problems.append("arrow \(id): fewer than 2 points") }
            }
            for entry in element["boundElements"] as? [[String: Any]] ?? [] {
                guard let other = entry["id"] as? String, let otherElement = byID[other] else {
                    problems.append("\(id) lists missing bound element \(entry)")
                    continue
                }
                switch entry["type"] as? String {
                case "text":
                    if otherElement["containerId"] as? String != id { problems.append("\(id) lists text \(other) whose containerId differs") }
                case "arrow":
                    let start = (otherElement["startBinding"] as? [String: Any])?["elementId"] as? String
                    let end = (otherElement["endBinding"] as? [String: Any])?["elementId"] as? String
                    if start != id && end != id { problems.append("\(id) lists arrow \(other) that is not bound to it") }
                default:
                    problems.append("\(id) lists \(other) with type \(entry["type"] ?? "nil")")
                }
            }
        }
        return problems
    }

    /// The frames of the node shapes (elements `node-N`), for overlap checks.
    var nodeFrames: [(id: String, x: Double, y: Double, width: Double, height: Double)] { frames(prefix: "node-") }

    /// The frames of the group rectangles (elements `group-N`).
    var groupFrames: [(id: String, x: Double, y: Double, width: Double, height: Double)] { frames(prefix: "group-") }

    private func frames(prefix: String) -> [(id: String, x: Double, y: Double, width: Double, height: Double)] {
        elements.compactMap { element in
            guard let id = element["id"] as? String, id.hasPrefix(prefix), !id.hasSuffix("-label"), !id.hasSuffix("-title"),
                  let x = element["x"] as? Double, let y = element["y"] as? Double,
                  let width = element["width"] as? Double, let height = element["height"] as? Double else { return nil }
            return (id, x, y, width, height)
        }
    }
}

struct ExcalidrawProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
