/// A YAML value after `${VAR}` references were resolved, with the position it
/// was written at and its key path: what the settings reader and the plugin
/// config converter walk. Scalars are typed by the YAML 1.2 core schema (only
/// `true`/`false` are booleans, so `country: NO` stays a string).
package struct ConfigNode: Sendable {
    package enum Content: Sendable {
        case scalar(ConfigScalar)
        case mapping([ConfigEntry])
        case sequence([ConfigNode])
    }

    package let content: Content
    package let line: Int
    package let column: Int
    /// `http.port`, `plugins.mailgun.recipients[2]`; empty for the document root.
    package let keyPath: String

    /// What the node is, for "found …" in messages; never a secret's value.
    package var found: String {
        switch content {
        case .scalar(let scalar): scalar.found
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    package var scalar: ConfigScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    package var entries: [ConfigEntry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    package var items: [ConfigNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// Key path → the text it was written as, for every value under this node that came
    /// from `${VAR}` references, leaving out the subtrees under `excluded` keys.
    func referencedValues(excluding excluded: Set<String> = []) -> [String: String] {
        var found: [String: String] = [:]
        switch content {
        case .scalar(let scalar):
            if scalar.fromReference { found[keyPath] = scalar.written }
        case .mapping(let entries):
            for entry in entries where !excluded.contains(entry.value.keyPath) {
                found.merge(entry.value.referencedValues(excluding: excluded)) { $1 }
            }
        case .sequence(let items):
            for item in items { found.merge(item.referencedValues(excluding: excluded)) { $1 } }
        }
        return found
    }
}
