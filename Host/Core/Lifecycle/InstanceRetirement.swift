import CCapHostSupport
import Synchronization

/// One instance on its way out: quiesced, then destroyed once its candidates'
/// leases reach zero. A shutdown waits on these up to its drain timeout and
/// names the ones still running as abandoned.
final class InstanceRetirement: Sendable {
    let instance: PluginInstance
    let candidates: [Candidate]
    private let finished = Atomic<Bool>(false)

    init(instance: PluginInstance, candidates: [Candidate]) {
        self.instance = instance
        self.candidates = candidates
    }

    var isFinished: Bool { finished.load(ordering: .acquiring) }
    func markFinished() { finished.store(true, ordering: .releasing) }

    /// Calls still in flight on the instance's candidates.
    var callsInFlight: Int64 { candidates.map(\.inFlight).reduce(0, +) }

    /// "echo 1.0.0 (adapter:echo:c): 2 call(s) still in flight", for the operator.
    var summary: String {
        let descriptor = instance.image.descriptor
        let ids = Set(candidates.map(\.id.description)).sorted().joined(separator: ", ")
        return "\(descriptor.name) \(descriptor.version) (\(ids)): \(callsInFlight) call(s) still in flight"
    }
}
