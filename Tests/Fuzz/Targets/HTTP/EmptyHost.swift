import CapHostCore
import Foundation
import Logging

/// The host the `mcp` and `admin-http` targets talk to: no plugins, probing off, never
/// started, logging nowhere. Its folders are never created: a request that would write
/// there gets the host's error like any other refusal.
///
/// One host serves the whole process, because a host never stops its call threads (a
/// host per input would leak those each call started); `clearPins()` after each input
/// removes what requests set, so the next input meets the same host. What remains is
/// the (empty) slots earlier pins created and the event log.
enum EmptyHost {
    static let shared: CapabilityHost = {
        let folder = NSTemporaryDirectory() + "caphost-fuzz-\(getpid())-unused"
        var configuration = HostConfiguration(pluginsDirectory: folder + "/plugins.d", stateDirectory: folder + "/state")
        configuration.probe.enabled = false
        do {
            return try CapabilityHost(configuration: configuration, logger: silentLogger("caphost.fuzz"))
        } catch {
            fatalError("cannot make the fuzz targets' host: \(error)")
        }
    }()

    /// Removes every pin and operator choice the last input set.
    static func clearPins() async {
        for slot in shared.capabilities() {
            try? await shared.unpin(slot.slot)
        }
    }

    /// A logger that drops everything (a fuzzer makes millions of requests).
    static func silentLogger(_ label: String) -> Logger {
        Logger(label: label) { _ in SwiftLogNoOpLogHandler() }
    }
}
