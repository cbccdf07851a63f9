/// What a plugin says about itself: the Swift form of the static `cap_plugin` descriptor.
///
/// ``PluginExport/descriptor(for:)`` copies it once into never-freed C memory. Check it in
/// your own tests with ``problems``.
public struct PluginManifest: Sendable, Hashable {
    /// Plugin name, `^[a-z0-9][a-z0-9_.-]*$`, at most 64 bytes.
    public var name: String
    /// Semantic version `MAJOR.MINOR.PATCH[-pre][+build]`; a higher version upgrades a lower one.
    public var version: String
    /// Who made it, free text.
    public var vendor: String
    /// Free text identifying the build; `nil` lets the kit describe the toolchain and type.
    public var buildID: String?
    /// `CAP_PLUGIN_*` flags.
    public var flags: PluginFlags
    /// The capabilities, in wire order (at least one).
    public var capabilities: [Capability]

    /// Declares a plugin.
    public init(name: String, version: String, vendor: String, buildID: String? = nil,
                flags: PluginFlags = [], capabilities: [Capability]) {
        self.name = name
        self.version = version
        self.vendor = vendor
        self.buildID = buildID
        self.flags = flags
        self.capabilities = capabilities
    }
}
