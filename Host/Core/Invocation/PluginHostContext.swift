import Logging
import Metrics
import Synchronization

/// The host side of a `cap_host *`: everything a plugin instance may ask the
/// host for. One per instance; kept alive by the instance.
final class PluginHostContext: @unchecked Sendable {
    let pluginName: String
    let logger: Logger
    let keyValueStore: (any PluginKeyValueStore)?
    private let invokerReference = Mutex<Invoker?>(nil)
    private let warnedMetricNames = Mutex<Set<String>>([])
    private let destroyed = Atomic<Bool>(false)

    init(pluginName: String, logger: Logger, keyValueStore: (any PluginKeyValueStore)?) {
        self.pluginName = pluginName
        var logger = logger
        logger[metadataKey: "plugin"] = "\(pluginName)"
        self.logger = logger
        self.keyValueStore = keyValueStore
    }

    /// The invoker used for host->call (weakly tied: set once the host exists).
    var invoker: Invoker? {
        get { invokerReference.withLock { $0 } }
        set { invokerReference.withLock { $0 = newValue } }
    }

    var isDestroyed: Bool { destroyed.load(ordering: .acquiring) }

    func instanceDestroyed() {
        destroyed.store(true, ordering: .releasing)
        invoker = nil
    }

    func warnOnce(about name: String, _ message: String) {
        let first = warnedMetricNames.withLock { $0.insert(name).inserted }
        if first { logger.warning("\(message)") }
    }

    /// The opaque pointer handed to the plugin as `cap_host *`.
    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ pointer: OpaquePointer?) -> PluginHostContext? {
        pointer.map { Unmanaged<PluginHostContext>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}
