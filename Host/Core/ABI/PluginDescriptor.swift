import CapPluginABI

/// Flags a plugin declares in its descriptor.
public struct PluginFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `invoke` and `health` may run concurrently on one instance.
    public static let threadSafe = PluginFlags(rawValue: UInt64(CAP_PLUGIN_THREAD_SAFE))
    /// The library may be `dlclose`d once retired (C/Rust only; ignored for Swift libraries).
    public static let unloadable = PluginFlags(rawValue: UInt64(CAP_PLUGIN_UNLOADABLE))
    /// `create` may overlap other plugins' `create` and first health check (ABI 1.4).
    public static let parallelCreate = PluginFlags(rawValue: UInt64(CAP_PLUGIN_PARALLEL_CREATE))

    /// Names of the set flags, for reports.
    public var names: [String] {
        var names: [String] = []
        if contains(.threadSafe) { names.append("THREAD_SAFE") }
        if contains(.unloadable) { names.append("UNLOADABLE") }
        if contains(.parallelCreate) { names.append("PARALLEL_CREATE") }
        let unknown = rawValue & ~(PluginFlags.threadSafe.rawValue | PluginFlags.unloadable.rawValue | PluginFlags.parallelCreate.rawValue)
        if unknown != 0 { names.append("0x" + String(unknown, radix: 16)) }
        return names
    }
}

/// One method of a capability, as validated from the descriptor.
public struct MethodDescriptor: Sendable, Hashable, Codable {
    public let name: String
    public let description: String
    /// JSON Schema text of the request payload (`{}` when the plugin gave none).
    public let inputSchema: String
}

/// One capability of a plugin, as validated from the descriptor.
public struct CapabilityDescriptor: Sendable, Hashable, Codable {
    /// Position in the plugin's capability table (what `invoke` receives).
    public let index: UInt32
    public let id: CapabilityID
    public let priority: Int32
    public let stackLevel: Int32
    public let description: String
    public let methods: [MethodDescriptor]
}

/// A plugin's descriptor, read from `cap_plugin_entry_v1()` and fully validated.
public struct PluginDescriptor: Sendable, Hashable, Codable {
    public let name: String
    public let version: SemanticVersion
    public let vendor: String
    public let buildID: String
    public let flags: PluginFlags
    public let abiMajor: UInt16
    public let abiMinor: UInt16
    /// `struct_size` as the plugin compiled it.
    public let structSize: UInt32
    public let capabilities: [CapabilityDescriptor]
}

extension SemanticVersion: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = SemanticVersion(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a semantic version"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
