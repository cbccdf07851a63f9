/// Work that ``BlockingInvocation`` runs: a value rather than a closure, so the task captures it
/// directly and calls it without a conversion thunk.
protocol BlockingWork: Sendable {
    associatedtype Outcome
    func perform() async -> Outcome
}
