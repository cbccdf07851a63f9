/// What the host knows about one plugin file: loaded (with what), failed (why),
/// quarantined (which signal or timeout), or removed.
public struct PluginReport: Sendable, Codable, Hashable {
    /// `superseded`: every capability is served by a newer version from another file.
    public enum State: String, Sendable, Codable, Hashable {
        case loaded, failed, quarantined, removed, superseded
    }

    public let file: String
    public let state: State
    public let descriptor: PluginDescriptor?
    public let digest: String?
    /// Canonical ids of the capabilities it serves right now.
    public let capabilities: [String]
    /// The failed check and its message: why a `failed` or `quarantined` file
    /// did not load, or why the last reload of a `loaded` one was refused (the
    /// version already serving keeps serving).
    public let error: PluginLoadError?
    public let linksSwiftRuntime: Bool?
    public let signature: String?
    public let at: WallClockTime
    /// Where its code runs (in the host or its own process) and why; its process's state.
    public var isolation: IsolationStatus? = nil
}

/// What the host keeps mapped after retiring plugin versions (Swift images are never unloaded).
public struct RetainedImages: Sendable, Codable, Hashable {
    /// Retired images still mapped.
    public let count: Int
    /// Their total file size: the cost of keeping them.
    public let bytes: Int
    /// Retired images that were `dlclose`d (UNLOADABLE C/Rust plugins).
    public let unloaded: Int
    /// Retired candidate records kept for the call path (a few KiB each).
    public let retiredCandidates: Int
}
