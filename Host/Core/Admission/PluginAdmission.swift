/// A plugin file that passed every check before `create`: its configuration, its taken
/// (copied, hashed) image, mapped, and the record it would replace.
struct PluginAdmission: Sendable {
    /// Where an admission step left a file.
    enum Step: Sendable {
        /// The load ended: failed a check, or the file was already loaded unchanged.
        case finished(PluginReport)
        /// Ready for `create`.
        case admitted(PluginAdmission)
    }

    let file: String
    let identity: FileIdentity?
    let configDigest: String
    /// The configuration text handed to `create`.
    let config: [UInt8]
    let taken: PluginIntake.TakenFile
    let image: PluginImage
    /// Where it runs: in the host, or its own process.
    let placement: PluginPlacement
    /// The file's record before this load (a reload replaces it).
    let previous: CapabilityHost.PluginRecord?

    /// Whether its `create` may overlap other plugins' (`CAP_PLUGIN_PARALLEL_CREATE`, or isolated:
    /// then it changes nothing in the host's process).
    var createsInParallel: Bool { image.isolated != nil || image.descriptor.flags.contains(.parallelCreate) }
}
