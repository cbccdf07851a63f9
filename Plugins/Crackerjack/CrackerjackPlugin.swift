import Foundation
import PluginKit
import Synchronization

/// `adapter:quality:crackerjack`: runs the real `crackerjack` CLI on a private copy of a Python
/// project and answers its findings as structured issues.
///
/// `run` copies the project (crackerjack rewrites files) into a fresh folder under
/// `config.work_parent`, starts the configured command there as the leader of its own process
/// group, ends the whole group at the deadline (SIGTERM, then SIGKILL), keeps a bounded amount
/// of its output, parses `--verbose` output into issues with a severity, and removes the folder.
/// `health` checks that the command exists and that it answers `--version`. Calls may run
/// concurrently, up to `config.max_concurrent_runs`.
public final class CrackerjackPlugin: CapabilityPlugin {
    /// One capability with `run` and `health`.
    public static let manifest = PluginManifest(
        name: "crackerjack", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(
                domain: "adapter", category: "quality", provider: "crackerjack", priority: 10, stackLevel: 0,
                description: "Runs the crackerjack quality CLI (ruff, refurb, type checkers, security scanners) on a copy of a Python project",
                methods: [
                    CapabilityMethod(
                        name: "run",
                        description: "Copies the project, runs crackerjack (mode fast, comp, or one tool) within a timeout, and answers the issues (tool, file, line, code, message, severity), failed hooks, exit status and duration",
                        inputSchema: #"""
                            {"type":"object","required":["project"],"properties":{"project":{"type":"string","description":"absolute path of the Python project (inside config.allowed_roots)"},"mode":{"enum":["fast","comp","tool"]},"tool":{"type":"string","description":"the hook to run with mode tool, e.g. ruff-check, refurb"},"timeout":{"type":["number","string"],"description":"seconds, e.g. 120 or \"5m\""}}}
                            """#),
                    CapabilityMethod(
                        name: "health",
                        description: "Says whether the configured crackerjack command exists and answers --version, and which command was tried",
                        inputSchema: #"{"type":"object"}"#),
                ]),
        ])

    let context: PluginContext
    let configuration: CrackerjackConfiguration
    let groups = ActiveProcessGroups()
    let versionCheck: VersionCheck
    /// Runs under way, for `config.max_concurrent_runs`.
    let runsUnderWay = Mutex<Int>(0)
    /// Numbers runs in log lines.
    let runNumbers = Mutex<Int>(0)

    /// Reads and checks the configuration; nothing starts until the first call.
    public init(context: PluginContext) throws {
        self.context = context
        configuration = try CrackerjackConfiguration.read(from: context)
        versionCheck = VersionCheck(configuration: configuration, groups: groups)
        context.log(.info, "crackerjack: command \(configuration.command), allowed roots \(configuration.allowedRoots.joined(separator: ", ")), run folders in \(configuration.workParent), timeout \(configuration.defaultTimeout) (at most \(configuration.maxTimeout))")
    }

    /// Serves `run` and `health`.
    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        switch request.method {
        case "run": return try await run(request)
        case "health": return try await healthAnswer()
        default: throw PluginError.unimplemented(request)
        }
    }

    /// Healthy when the command exists and answers `--version` (see `CrackerjackPlugin+health.swift`).
    public func health() async throws {
        let answer = await checkHealth()
        guard answer.healthy else { throw PluginError.unavailable(answer.message) }
    }

    /// Ends every process group still running (their runs then answer at once) and the version
    /// check.
    public func shutdown() async {
        groups.killAll()
        await versionCheck.stop()
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: CrackerjackPlugin.self) }
