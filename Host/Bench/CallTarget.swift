/// Something the bench calls in a tight loop: the host path (`HostCall`) or
/// the reference (`RawPluginCall`). Generic code over it is specialised, so
/// neither side pays for a closure call the other does not.
protocol CallTarget: Sendable {
    /// One call; false when it failed.
    func call() -> Bool
}
