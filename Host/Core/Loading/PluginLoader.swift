import CapPluginABI
import CCapHostSupport
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Maps a checked plugin file and creates instances of it. Knows nothing of
/// slots or swaps: loading, registering and ranking are separate jobs.
struct PluginLoader: Sendable {
    let logger: Logger
    let keyValueStore: (any PluginKeyValueStore)?
    /// Where calls into mapped plugins are recorded for crash attribution (the host's).
    var inFlight: InFlightTable? = nil

    /// `dlopen`s `imagePath` (the content-addressed copy of `sourcePath`), finds
    /// the entry symbol and validates the descriptor completely.
    func map(imagePath: String, sourcePath: String, digest: String, facts: PluginFileFacts) throws(PluginLoadError) -> PluginImage {
        // A Swift library is pinned from the first dlopen; others once their flags are known.
        var mode = RTLD_NOW | RTLD_LOCAL
        if facts.linksSwiftRuntime { mode |= RTLD_NODELETE }
        _ = dlerror()
        guard let handle = dlopen(imagePath, mode) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginLoadError(file: sourcePath, check: .dlopen, detail: message.replacingOccurrences(of: imagePath, with: "(image)"))
        }
        _ = dlerror()
        guard let symbol = dlsym(handle, CAP_PLUGIN_ENTRY_SYMBOL) else {
            throw PluginLoadError(file: sourcePath, check: .entry,
                detail: "missing entry symbol \(CAP_PLUGIN_ENTRY_SYMBOL) (export `const cap_plugin *\(CAP_PLUGIN_ENTRY_SYMBOL)(void)`; in Swift: @_cdecl(\"\(CAP_PLUGIN_ENTRY_SYMBOL)\"))")
        }
        let entry = unsafeBitCast(symbol, to: cap_plugin_entry_fn.self)
        let (descriptor, entryPoints) = try DescriptorReader(file: sourcePath).read(UnsafeRawPointer(entry()))
        let stem = ((sourcePath as NSString).lastPathComponent as NSString).deletingPathExtension
        let number = inFlight?.number(forStem: stem, plugin: "\(descriptor.name) \(descriptor.version)") ?? 0
        let image = PluginImage(sourcePath: sourcePath, imagePath: imagePath, digest: digest, handle: handle,
                                descriptor: descriptor, entryPoints: entryPoints, linksSwiftRuntime: facts.linksSwiftRuntime,
                                inFlightSlots: number == 0 ? nil : inFlight?.slots, inFlightNumber: number)
        if !image.mayUnload && !facts.linksSwiftRuntime {
            _ = dlopen(imagePath, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD | RTLD_NODELETE)
        }
        return image
    }

    /// Calls the plugin's `create` with `config` (JSON text) on the calling thread.
    /// `invoker` serves host->call, already from inside `create`.
    func create(_ image: PluginImage, config: [UInt8], invoker: Invoker? = nil) throws(PluginLoadError) -> PluginInstance {
        let context = PluginHostContext(pluginName: image.descriptor.name, logger: logger, keyValueStore: keyValueStore)
        context.invoker = invoker
        var record = CallRecord(depth: 0, deadlineNanoseconds: 0)
        var instancePointer: UnsafeMutableRawPointer?
        let configBytes = config.isEmpty ? Array("{}".utf8) : config
        let raw: cap_status
        if let process = image.isolated {
            // Created in its process; the instance pointer is the process (IsolatedEntryPoints).
            raw = withUnsafeMutablePointer(to: &record) { recordPointer in
                process.create(hostAPI: HostServiceTable.pointer, host: context.opaque, config: configBytes,
                               call: OpaquePointer(recordPointer))
            }
            instancePointer = process.opaque
        } else {
            let previous = caphost_inflight_enter(image.inFlightSlots, image.inFlightNumber)
            defer { caphost_inflight_exit(image.inFlightSlots, previous) }
            raw = configBytes.withUnsafeBytes { bytes in
                withUnsafeMutablePointer(to: &record) { recordPointer in
                    image.entryPoints.create(HostServiceTable.pointer, context.opaque,
                                             cap_str(ptr: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count),
                                             OpaquePointer(recordPointer), &instancePointer)
                }
            }
        }
        let status = PluginCallStatus(raw: raw)
        guard status == .ok else {
            var detail = "create() returned \(status.name)"
            if case .unknown(let value) = status { detail = "create() returned unknown status \(value)" }
            if let message = record.errorMessage, !message.isEmpty { detail += ": \(message)" }
            throw PluginLoadError(file: image.sourcePath, check: .create, detail: detail)
        }
        return PluginInstance(image: image, pointer: instancePointer, hostContext: context)
    }

    /// Runs the instance's health check on the calling thread.
    static func health(of instance: PluginInstance) -> HealthObservation {
        var record = CallRecord(depth: 0, deadlineNanoseconds: 0)
        let image = instance.image
        let previous = caphost_inflight_enter(image.inFlightSlots, image.inFlightNumber)
        defer { caphost_inflight_exit(image.inFlightSlots, previous) }
        let raw = withUnsafeMutablePointer(to: &record) { recordPointer in
            if instance.isThreadSafe {
                return instance.image.entryPoints.health(instance.pointer, OpaquePointer(recordPointer))
            }
            return instance.callLock.withLock { _ in
                instance.image.entryPoints.health(instance.pointer, OpaquePointer(recordPointer))
            }
        }
        let status = PluginCallStatus(raw: raw)
        return HealthObservation(at: .now, healthy: status == .ok, status: status.name, message: record.errorMessage ?? "")
    }
}
