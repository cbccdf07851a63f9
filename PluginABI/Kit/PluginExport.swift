/// Exports a ``CapabilityPlugin`` type as a caphost plugin: the one line a Swift plugin needs.
///
/// ```swift
/// @_cdecl("cap_plugin_entry_v1")
/// public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: EchoPlugin.self) }
/// ```
///
/// The first call builds the type's static `cap_plugin` descriptor (thread-safe; later calls
/// return the same pointer): strings copied into never-freed C memory, `struct_size`s, magic and
/// ABI version from the header, and C-convention `create`, `invoke`, `health`, `quiesce` and
/// `destroy` that bridge to the type.
///
/// ## Cost of a call
/// The host calls from its own threads, and each C call blocks its thread while the async
/// method runs as an immediate task whose executor is that same thread: a method that does not
/// suspend never leaves the thread, and one that suspends resumes there when woken. The kit's
/// overhead per invoke is one Swift task (about 0.4 µs of it), a copy of the payload into
/// `[UInt8]` and a `malloc`'d copy of the response. Measured on a 2-core x86_64 Linux machine,
/// release build, Swift 6.3.1: a no-op invoke through the C pointer costs ≈ 0.66 µs, a 16-byte
/// echo ≈ 0.69 µs (debug builds ≈ 2 µs). A plain C plugin's no-op is ≈ 10 ns: write
/// nanosecond-critical plugins in C or Rust.
///
/// ## Deadlines
/// A call whose `deadline_ns` has already passed fails with `CAP_TIMEOUT` without running. If
/// the deadline passes while the method is suspended, its task is cancelled and still awaited;
/// a failure after that is reported as `CAP_TIMEOUT`.
public enum PluginExport {
    /// The static descriptor for `type`, as `cap_plugin_entry_v1` must return it.
    public static func descriptor<Plugin: CapabilityPlugin>(for type: Plugin.Type) -> UnsafeRawPointer {
        UnsafeRawPointer(ExportRegistry.registration(for: type).descriptor)
    }
}
