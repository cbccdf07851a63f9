/// Waits until `condition` holds, polling every 10 ms; throws naming `what` after `timeout`.
/// A condition that throws counts as not yet.
public func eventually(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw FixtureError("timed out after \(timeout) waiting for \(what)")
}
