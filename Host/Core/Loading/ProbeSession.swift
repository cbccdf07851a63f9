import CapPluginABI
import CCapHostSupport
import Foundation
import Logging

/// The probe's work inside the short-lived child process: every load step of
/// the host, one optional method call, then destroy and a count of threads
/// left behind. Announces each phase before entering it, so the parent can
/// name the phase a crash or hang happened in.
public struct ProbeSession {
    public let file: String
    public let config: [UInt8]
    /// The file's SHA-256 when the caller already has it; else it is computed here.
    public let digest: String?
    /// The file's `DT_NEEDED` libraries when the caller read them already (from the same
    /// bytes, its own copy): with `digest`, the file is then checked but not read again.
    public let neededLibraries: [String]?
    public let invocation: ProbeInvocation?
    /// Count threads left running 200 ms after destroy (`caphost check`); a
    /// host's probe before load skips the wait.
    public let checkThreads: Bool
    public let announce: (String) -> Void

    public init(file: String, config: [UInt8], digest: String? = nil, neededLibraries: [String]? = nil, invocation: ProbeInvocation?,
                checkThreads: Bool, announce: @escaping (String) -> Void) {
        self.file = file
        self.config = config
        self.digest = digest
        self.neededLibraries = neededLibraries
        self.invocation = invocation
        self.checkThreads = checkThreads
        self.announce = announce
    }

    public func run() -> ProbeReport {
        var report = ProbeReport()
        do throws(PluginLoadError) {
            announce("inspect")
            let opened = try OpenedPluginFile(path: file)
            let facts: PluginFileFacts, digest: String
            if let known = self.digest, let neededLibraries {
                // Reading tens of megabytes again was most of a probe's time.
                try PluginFileInspector().check(opened)
                (facts, digest) = (PluginFileFacts(size: opened.size, neededLibraries: neededLibraries), known)
            } else {
                let (read, contents) = try PluginFileInspector().read(opened)
                (facts, digest) = (read, self.digest ?? ContentAddressedStore.digest(of: contents))
            }
            report.linksSwiftRuntime = facts.linksSwiftRuntime
            report.phases.append("inspect")

            announce("map")
            let loader = PluginLoader(logger: Logger(label: "caphost.probe"), keyValueStore: nil)
            let image = try loader.map(imagePath: file, sourcePath: file, digest: digest, facts: facts)
            report.descriptor = image.descriptor
            report.phases.append("map")

            let threadsBefore = caphost_thread_count()
            announce("create")
            let instance = try loader.create(image, config: config)
            report.phases.append("create")

            announce("health")
            report.health = PluginLoader.health(of: instance)
            report.phases.append("health")

            if let invocation {
                announce("invoke")
                report.invocation = invoke(invocation, on: instance)
                report.phases.append("invoke")
            }

            announce("destroy")
            instance.destroy()
            report.phases.append("destroy")
            if checkThreads {
                usleep(200_000)
                let threadsAfter = caphost_thread_count()
                if threadsBefore >= 0 && threadsAfter >= 0 {
                    report.threadsLeftAfterDestroy = max(0, Int(threadsAfter - threadsBefore))
                }
            }
        } catch {
            report.error = error
        }
        return report
    }

    private func invoke(_ invocation: ProbeInvocation, on instance: PluginInstance) -> ProbeInvocationResult {
        let capabilities = instance.image.descriptor.capabilities
        let capability = invocation.capability.flatMap { id in capabilities.first { $0.id.description == id || $0.id.path == id } }
            ?? capabilities[0]
        guard let methodIndex = capability.methods.firstIndex(where: { $0.name == invocation.method }) else {
            return ProbeInvocationResult(capability: capability.id.description, method: invocation.method, status: "UNIMPLEMENTED",
                message: "\(capability.id) has no method '\(invocation.method)' (it has: \(capability.methods.map(\.name).joined(separator: ", ")))",
                responseBytes: 0, responsePreview: "", nanoseconds: 0)
        }
        var record = CallRecord(depth: 0, deadlineNanoseconds: 0)
        var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        let payload = Array(invocation.payload.utf8)
        let start = caphost_monotonic_ns()
        let raw = payload.withUnsafeBytes { bytes in
            withUnsafeMutablePointer(to: &record) { recordPointer in
                instance.image.entryPoints.invoke(instance.pointer, capability.index, UInt32(methodIndex),
                    cap_str(ptr: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count), 0,
                    OpaquePointer(recordPointer), &out)
            }
        }
        let elapsed = Int64(caphost_monotonic_ns() - start)
        let body = UnsafeRawBufferPointer(start: out.data, count: out.data == nil ? 0 : out.len)
        let preview = String(decoding: body.prefix(512), as: UTF8.self)
        let size = body.count
        Invoker.release(&out)
        return ProbeInvocationResult(capability: capability.id.description, method: invocation.method,
                                     status: PluginCallStatus(raw: raw).name, message: record.errorMessage ?? "",
                                     responseBytes: size, responsePreview: preview, nanoseconds: elapsed)
    }
}
