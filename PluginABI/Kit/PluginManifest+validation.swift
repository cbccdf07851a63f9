import CapPluginABI

extension PluginManifest {
    /// The domains the header allows for a capability.
    public static let knownDomains: Set<String> = ["adapter", "service", "task", "event", "workflow"]

    /// Everything about this manifest that the host would refuse, one sentence each; empty when
    /// the manifest is valid. The kit exports an invalid manifest unchanged (the host then names
    /// the reason), so assert this is empty in the plugin's own tests.
    public var problems: [String] {
        var problems: [String] = []
        Self.checkName(name, "plugin name", into: &problems)
        if !Self.isSemanticVersion(version) {
            problems.append("version '\(version)' is not MAJOR.MINOR.PATCH[-pre][+build]")
        }
        if capabilities.isEmpty {
            problems.append("the plugin declares no capability")
        }
        var slots: Set<String> = []
        for capability in capabilities {
            let id = capability.id
            if !Self.knownDomains.contains(capability.domain) {
                problems.append("\(id): domain '\(capability.domain)' is not one of \(Self.knownDomains.sorted().joined(separator: ", "))")
            }
            Self.checkName(capability.category, "\(id): category", into: &problems)
            Self.checkName(capability.provider, "\(id): provider", into: &problems)
            if !(-1000...1000).contains(capability.priority) {
                problems.append("\(id): priority \(capability.priority) is outside -1000...1000")
            }
            if !(-100...100).contains(capability.stackLevel) {
                problems.append("\(id): stack level \(capability.stackLevel) is outside -100...100")
            }
            if !slots.insert(id).inserted {
                problems.append("\(id) is declared twice")
            }
            if capability.methods.isEmpty {
                problems.append("\(id) declares no method")
            }
            var methodNames: Set<String> = []
            for method in capability.methods {
                Self.checkName(method.name, "\(id): method name", into: &problems)
                if !methodNames.insert(method.name).inserted {
                    problems.append("\(id): method '\(method.name)' is declared twice")
                }
            }
        }
        return problems
    }

    /// Appends a problem unless `name` matches `^[a-z0-9][a-z0-9_.-]*$` within `CAP_NAME_MAX` bytes.
    private static func checkName(_ name: String, _ what: String, into problems: inout [String]) {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else {
            problems.append("\(what) is empty")
            return
        }
        if bytes.count > Int(CAP_NAME_MAX) {
            problems.append("\(what) '\(name)' is longer than \(CAP_NAME_MAX) bytes")
        }
        func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let allowed = bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        if !isLowerAlphanumeric(first) || !allowed {
            problems.append("\(what) '\(name)' does not match ^[a-z0-9][a-z0-9_.-]*$")
        }
    }

    /// True for `MAJOR.MINOR.PATCH` with optional `-pre` and `+build` parts.
    private static func isSemanticVersion(_ version: String) -> Bool {
        var core = Substring(version)
        if let plus = core.firstIndex(of: "+") {
            if core[core.index(after: plus)...].isEmpty { return false }
            core = core[..<plus]
        }
        if let dash = core.firstIndex(of: "-") {
            if core[core.index(after: dash)...].isEmpty { return false }
            core = core[..<dash]
        }
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        return numbers.count == 3 && numbers.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
