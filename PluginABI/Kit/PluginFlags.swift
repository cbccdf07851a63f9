import CapPluginABI

/// Flags a plugin declares in its descriptor (`cap_plugin.flags`).
///
/// `CAP_PLUGIN_UNLOADABLE` is deliberately absent: the host ignores it for any library that
/// links `libswiftCore.so`, and a Swift plugin always does.
public struct PluginFlags: OptionSet, Sendable, Hashable {
    /// The `cap_plugin.flags` bits.
    public let rawValue: UInt64

    /// Creates flags from raw `CAP_PLUGIN_*` bits.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// `CAP_PLUGIN_THREAD_SAFE`: `invoke` and `health` may run concurrently on one instance.
    /// Without it the host serialises every call into an instance.
    public static let threadSafe = PluginFlags(rawValue: UInt64(CAP_PLUGIN_THREAD_SAFE))

    /// `CAP_PLUGIN_PARALLEL_CREATE` (ABI 1.4): `init(context:)` and the first `health()` may run
    /// while other plugins are being created. Set it when `init` changes no process-wide state
    /// (environment, signal handlers, current directory, locale); without it the host creates
    /// the instance while no other plugin's creation runs.
    public static let parallelCreate = PluginFlags(rawValue: UInt64(CAP_PLUGIN_PARALLEL_CREATE))
}
