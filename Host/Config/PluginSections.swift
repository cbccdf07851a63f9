/// The `plugins:` section of caphost.yaml: one mapping per plugin file stem,
/// handed to that plugin's `create` as JSON text.
enum PluginSections {
    /// JSON text by stem; problems (a section that is not a mapping) are recorded.
    /// `references` picks what a `${VAR}` value becomes: the variable's text (always a
    /// JSON string) for the plugin, or the reference as written for descriptions.
    static func read(_ node: ConfigNode?, problems: ProblemCollector,
                     references: ConfigValueJSON.References = .resolved) -> [String: String] {
        guard let node, node.scalar?.value != .null else { return [:] }
        guard let entries = node.entries else {
            problems.expected("a mapping of plugin file stems (libmailgun for libmailgun.so) to their settings", at: node)
            return [:]
        }
        var configs: [String: String] = [:]
        for entry in entries {
            if entry.key.isEmpty || entry.key.contains("/") {
                problems.add(line: entry.line, column: entry.column, keyPath: entry.value.keyPath,
                             "expected a plugin file stem such as libmailgun (for plugins.d/libmailgun.so)")
                continue
            }
            if let json = objectJSON(entry.value, problems: problems, references: references) { configs[entry.key] = json }
        }
        return configs
    }

    /// A plugin's settings as a JSON object; null means `{}`.
    static func objectJSON(_ node: ConfigNode, problems: ProblemCollector,
                           references: ConfigValueJSON.References = .resolved) -> String? {
        if node.scalar?.value == .null { return "{}" }
        guard node.entries != nil else {
            problems.expected("a mapping of the plugin's settings", at: node)
            return nil
        }
        return ConfigValueJSON.render(node, references: references)
    }
}
