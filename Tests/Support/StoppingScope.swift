/// Runs `body` with `resource`, then awaits `stop(resource)` whether `body` returned or
/// threw: the one always-stopping scope every fixture's `with` is built on.
public func withStopping<Resource, Value>(_ resource: Resource, stop: (Resource) async -> Void,
                                          _ body: (Resource) async throws -> Value) async throws -> Value {
    let value: Value
    do {
        value = try await body(resource)
    } catch {
        await stop(resource)
        throw error
    }
    await stop(resource)
    return value
}
