import Foundation
import PluginKit

/// The payloads of the memory contract (`store`, `search`, `stats`), checked field by field so a
/// refusal names the field, what it expects and what it found. `adapter:memory:local` takes the
/// same payloads: keep the limits in step.
enum MemoryInput {
    static let maxContentBytes = 65_536
    static let maxTags = 32
    static let maxTagBytes = 128
    static let maxLimit = 100
    static let defaultLimit = 10

    /// `store {content, tags?, project?}`.
    struct Store: Sendable {
        var content: String
        var tags: [String]
        var project: String?
    }

    /// `search {query, project?, tags?, limit?}`.
    struct Search: Sendable {
        var query: String
        var project: String?
        var tags: [String]
        var limit: Int
    }

    static func store(_ payload: [UInt8]) throws(PluginError) -> Store {
        let object = try document(payload, method: "store")
        try onlyKnown(object, ["content", "tags", "project"], method: "store")
        let content = try string(object, "content", method: "store", required: true, maxBytes: maxContentBytes)!
        return Store(content: content, tags: try tags(object, method: "store"),
                     project: try project(object, method: "store"))
    }

    static func search(_ payload: [UInt8]) throws(PluginError) -> Search {
        let object = try document(payload, method: "search")
        try onlyKnown(object, ["query", "project", "tags", "limit"], method: "search")
        let query = try string(object, "query", method: "search", required: true, maxBytes: 4_096)!
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidArgument("search: 'query' must contain a word, found only white space")
        }
        var limit = defaultLimit
        if let value = object["limit"], value != .null {
            guard case .number(let number) = value, number == number.rounded(), (1...Double(maxLimit)).contains(number) else {
                throw .invalidArgument("search: 'limit' must be a whole number 1...\(maxLimit), found \(value.described)")
            }
            limit = Int(number)
        }
        return Search(query: query, project: try project(object, method: "search"), tags: try tags(object, method: "search"), limit: limit)
    }

    /// `stats {project?}`; the project, if any.
    static func stats(_ payload: [UInt8]) throws(PluginError) -> String? {
        let object = try document(payload, method: "stats")
        try onlyKnown(object, ["project"], method: "stats")
        return try project(object, method: "stats")
    }

    // MARK: - Fields

    private static func document(_ payload: [UInt8], method: String) throws(PluginError) -> [String: JSONValue] {
        if payload.isEmpty || payload.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload)) else {
            throw .invalidArgument("\(method): the payload must be a JSON object, found text that is not JSON: \(quote(payload))")
        }
        guard case .object(let object) = value else {
            throw .invalidArgument("\(method): the payload must be a JSON object, found \(value.described)")
        }
        return object
    }

    private static func onlyKnown(_ object: [String: JSONValue], _ known: Set<String>, method: String) throws(PluginError) {
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidArgument("\(method): unknown field '\(unknown)' (expected \(known.sorted().joined(separator: ", ")))")
        }
    }

    private static func string(_ object: [String: JSONValue], _ field: String, method: String, required: Bool,
                               maxBytes: Int) throws(PluginError) -> String? {
        guard let value = object[field], value != .null else {
            if required { throw .invalidArgument("\(method): '\(field)' is required (a string of 1…\(maxBytes) bytes), found nothing") }
            return nil
        }
        guard case .string(let text) = value else {
            throw .invalidArgument("\(method): '\(field)' must be a string, found \(value.described)")
        }
        let bytes = text.utf8.count
        guard bytes >= 1, bytes <= maxBytes else {
            throw .invalidArgument("\(method): '\(field)' must be 1…\(maxBytes) bytes, found \(bytes)")
        }
        return text
    }

    private static func tags(_ object: [String: JSONValue], method: String) throws(PluginError) -> [String] {
        guard let value = object["tags"], value != .null else { return [] }
        guard case .array(let list) = value else {
            throw .invalidArgument("\(method): 'tags' must be a list of strings, found \(value.described)")
        }
        guard list.count <= maxTags else {
            throw .invalidArgument("\(method): 'tags' may hold at most \(maxTags) tags, found \(list.count)")
        }
        var tags: [String] = []
        for (index, item) in list.enumerated() {
            guard case .string(let tag) = item else {
                throw .invalidArgument("\(method): tags[\(index)] must be a string, found \(item.described)")
            }
            let bytes = tag.utf8.count
            guard bytes >= 1, bytes <= maxTagBytes else {
                throw .invalidArgument("\(method): tags[\(index)] must be 1…\(maxTagBytes) bytes, found \(bytes)")
            }
            // session-buddy prints tags joined by ", ": a tag holding that separator or a line
            // break could not be told apart in its answers.
            guard !tag.contains(", "), !tag.contains(where: \.isNewline) else {
                throw .invalidArgument("\(method): tags[\(index)] must not contain ', ' or a line break, found \(JSONValue.string(tag).described)")
            }
            tags.append(tag)
        }
        return tags
    }

    /// session-buddy accepts projects matching `^[a-zA-Z0-9._-]{1,128}$` only.
    private static func project(_ object: [String: JSONValue], method: String) throws(PluginError) -> String? {
        guard let project = try string(object, "project", method: method, required: false, maxBytes: 128) else { return nil }
        guard project.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }) else {
            throw .invalidArgument("\(method): 'project' must match ^[a-zA-Z0-9._-]{1,128}$ (session-buddy's rule), found \(JSONValue.string(project).described)")
        }
        return project
    }

    // MARK: - Text

    private static func quote(_ bytes: [UInt8]) -> String {
        "\"" + String(decoding: bytes.prefix(80), as: UTF8.self) + (bytes.count > 80 ? "…" : "") + "\""
    }
}

