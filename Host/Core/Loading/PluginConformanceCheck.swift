import Foundation

/// The result of `caphost check`: each check in order, passed or not, with
/// what was found.
public struct ConformanceReport: Sendable, Codable, Hashable {
    /// One line of the report.
    public struct Check: Sendable, Codable, Hashable {
        public let name: String
        public let passed: Bool
        public let detail: String
    }

    public let file: String
    public var checks: [Check] = []
    public var descriptor: PluginDescriptor?
    public var notes: [String] = []

    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    /// The first failed check, if any.
    public var failure: Check? { checks.first { !$0.passed } }
}

/// Checks a plugin file the way the host would load it, offline: file and ELF
/// checks in this process, then everything that runs plugin code in a probe
/// child process, plus one optional method call.
public struct PluginConformanceCheck: Sendable {
    public let file: String
    public let config: [UInt8]
    public let invocation: ProbeInvocation?
    public let timeout: Duration
    public let runnerPath: String?

    public init(file: String, config: [UInt8], invocation: ProbeInvocation?, timeout: Duration, runnerPath: String? = nil) {
        self.file = file
        self.config = config
        self.invocation = invocation
        self.timeout = timeout
        self.runnerPath = runnerPath
    }

    public func run() -> ConformanceReport {
        var report = ConformanceReport(file: file)
        let facts: PluginFileFacts
        do throws(PluginLoadError) {
            facts = try PluginFileInspector().inspect(file)
        } catch {
            report.checks.append(.init(name: error.check.rawValue, passed: false, detail: error.detail))
            return report
        }
        report.checks.append(.init(name: "file", passed: true, detail: "regular file, \(facts.size) bytes, safe owner and permissions"))
        report.checks.append(.init(name: "elf", passed: true,
            detail: "\(ELFMachine.name(ELFMachine.host)) shared object; needs \(facts.neededLibraries.joined(separator: ", "))"))
        if facts.linksSwiftRuntime {
            report.notes.append("links libswiftCore.so: build it with the host's Swift toolchain; it is never dlclosed (retired versions stay mapped)")
        }

        guard let runner = PluginProbe.locateRunner(explicit: runnerPath) else {
            report.checks.append(.init(name: "probe", passed: false, detail: "caphost-runner not found beside this executable; build it with `swift build --product caphost-runner`"))
            return report
        }
        switch PluginProbe(runnerPath: runner, timeout: timeout).run(file: file, config: config, invocation: invocation, checkThreads: true) {
        case .completed(let probe):
            append(probe, to: &report)
        case .crashed(let signal, let phase, let probe):
            append(probe, to: &report)
            report.checks.append(.init(name: phase, passed: false, detail: "crashed with \(SignalName.of(signal)) during \(phase)"))
        case .hung(let timeout, let phase, let probe):
            append(probe, to: &report)
            report.checks.append(.init(name: phase, passed: false, detail: "did not finish \(phase) within \(timeout); killed"))
        case .runnerFailed(let message):
            report.checks.append(.init(name: "probe", passed: false, detail: message))
        }
        return report
    }

    private func append(_ probe: ProbeReport, to report: inout ConformanceReport) {
        report.descriptor = probe.descriptor
        if let descriptor = probe.descriptor {
            let capabilities = descriptor.capabilities.map { "\($0.id) (priority \($0.priority), stack level \($0.stackLevel); \($0.methods.map(\.name).joined(separator: ", ")))" }
            report.checks.append(.init(name: "descriptor", passed: true,
                detail: "\(descriptor.name) \(descriptor.version) by \(descriptor.vendor.isEmpty ? "?" : descriptor.vendor), ABI \(descriptor.abiMajor).\(descriptor.abiMinor), \(descriptor.structSize)-byte struct, flags [\(descriptor.flags.names.joined(separator: ", "))]; " + capabilities.joined(separator: "; ")))
        }
        if let error = probe.error {
            report.checks.append(.init(name: error.check.rawValue, passed: false, detail: error.detail.replacingOccurrences(of: file + ": ", with: "")))
            return
        }
        if probe.phases.contains("create") { report.checks.append(.init(name: "create", passed: true, detail: "OK")) }
        if let health = probe.health {
            report.checks.append(.init(name: "health", passed: health.healthy,
                                       detail: health.healthy ? "OK" : "\(health.status)\(health.message.isEmpty ? "" : ": \(health.message)")"))
        }
        if let result = probe.invocation {
            let microseconds = Double(result.nanoseconds) / 1000
            report.checks.append(.init(name: "invoke", passed: result.status == "OK",
                detail: "\(result.capability) \(result.method) → \(result.status)\(result.message.isEmpty ? "" : ": \(result.message)"), \(result.responseBytes) bytes in \(String(format: "%.1f", microseconds)) µs" + (result.responsePreview.isEmpty ? "" : ": \(result.responsePreview.prefix(200))")))
        }
        if probe.phases.contains("destroy"), let left = probe.threadsLeftAfterDestroy {
            report.checks.append(.init(name: "destroy", passed: left == 0,
                detail: left == 0 ? "OK; no threads left running" : "\(left) thread(s) still running 200 ms after destroy (join every thread you start before destroy returns)"))
        }
    }
}
