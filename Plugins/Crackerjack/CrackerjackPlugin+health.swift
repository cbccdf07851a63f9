import CrackerjackOutput
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// Health: the command's program exists (found in the PATH the child gets), the work parent
/// is writable, and the command answers `--version` (see ``VersionCheck``).
extension CrackerjackPlugin {
    /// The health facts, as the `health` method answers them.
    struct HealthAnswer: Sendable, Encodable {
        let healthy: Bool
        /// The argv of the version check.
        let command: String
        /// `crackerjack: 0.91.1`, when known.
        let version: String?
        let message: String
    }

    func checkHealth() async -> HealthAnswer {
        let command = versionCheck.describedCommand()
        let path = configuration.childEnvironment(RunFolders(root: "", workDirectory: "", home: ""))["PATH"]
        let program = configuration.command.program
        guard ExecutableLookup.find(program, path: path) != nil else {
            return HealthAnswer(healthy: false, command: command, version: nil,
                                message: "crackerjack cannot run: tried \(command) (config.command), but \(ExecutableLookup.whyNot(program, path: path))")
        }
        guard access(configuration.workParent, W_OK | X_OK) == 0 else {
            return HealthAnswer(healthy: false, command: command, version: nil,
                                message: "crackerjack cannot run: the work parent \(configuration.workParent) (config.work_parent) is not writable: \(FileSystemPath.errorText(errno))")
        }
        guard let answer = await versionCheck.answer(wait: configuration.healthWait) else {
            context.log(.info, "crackerjack: health: \(command) has not answered yet (within config.health_wait \(configuration.healthWait)); healthy until it says otherwise")
            return HealthAnswer(healthy: true, command: command, version: nil,
                                message: "\(program) exists; its version check is still running")
        }
        guard answer.healthy else {
            return HealthAnswer(healthy: false, command: command, version: nil,
                                message: "crackerjack did not answer: tried \(command) (config.command with --version), which \(answer.detail)")
        }
        return HealthAnswer(healthy: true, command: command, version: answer.detail, message: "\(command) answered \(answer.detail)")
    }

    /// The `health` method: the same facts as JSON, healthy or not.
    func healthAnswer() async throws(PluginError) -> PluginResponse {
        try .json(await checkHealth())
    }
}
