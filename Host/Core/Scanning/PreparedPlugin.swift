/// A plugin file checked, copied into the image store and probed ahead of its load, so that a
/// scan can do this work for several files at once (it touches nothing shared). The load itself
/// (mapping, create, health, registration) still runs one file at a time, in file order, and
/// uses a preparation only if the file and its config are still what was prepared.
struct PreparedPlugin: Sendable {
    let identity: FileIdentity?
    let configDigest: String
    let taken: PluginIntake.TakenFile
    /// The probe's outcome (nil: it did not report back), or nil when probing is off.
    let probe: PluginProbe.Outcome??
}
