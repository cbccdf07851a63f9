/// Why the bench (or one of its sections) could not measure: written for the
/// person running it, e.g. "cc noop.c failed: ..." or "caphost-runner not found".
struct BenchError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}
