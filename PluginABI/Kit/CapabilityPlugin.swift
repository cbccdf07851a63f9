/// A capability plugin written in Swift: one instance per `create()` the host makes.
///
/// Conform a final class, declare ``manifest``, and export it with one line:
///
/// ```swift
/// @_cdecl("cap_plugin_entry_v1")
/// public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: EchoPlugin.self) }
/// ```
///
/// The kit calls ``init(context:)`` from the host's `create`, ``invoke(_:)`` for every call,
/// ``health()``, ``quiesce()`` and, from `destroy`, ``shutdown()``. The host always calls from its
/// own threads: each call runs its async method to completion on the calling thread (see
/// ``PluginExport`` for the cost), so `await` anything you like. Without
/// ``PluginFlags/threadSafe`` the host serialises the calls into one instance; with it, `invoke`
/// and `health` may run concurrently.
public protocol CapabilityPlugin: AnyObject, Sendable {
    /// The static description of the plugin: name, version, capabilities and methods.
    static var manifest: PluginManifest { get }

    /// Creates an instance. Read configuration from ``PluginContext/config`` (or
    /// ``PluginContext/decodeConfig(_:)``) and keep the context for host services.
    /// A thrown error fails `create` with its status and message.
    init(context: PluginContext) throws

    /// Serves one call. Switch on ``PluginRequest/method`` and throw
    /// `PluginError.unimplemented(request)` for anything else.
    func invoke(_ request: PluginRequest) async throws -> PluginResponse

    /// Returns when the instance can serve; throws a ``PluginError`` saying why not. Must be
    /// quick and must not send traffic that has effects. Default: healthy.
    func health() async throws

    /// No new calls will arrive; in-flight calls may still finish. Stop background work and
    /// flush state. Default: nothing.
    func quiesce() async

    /// The instance is being destroyed: every call has returned. Release what ``init(context:)``
    /// acquired (threads, event loops, connections). Default: nothing.
    func shutdown() async
}

extension CapabilityPlugin {
    /// Healthy.
    public func health() async throws {}
    /// Nothing to stop.
    public func quiesce() async {}
    /// Nothing to release.
    public func shutdown() async {}
}
