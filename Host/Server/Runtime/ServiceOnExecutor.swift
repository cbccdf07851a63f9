import ServiceLifecycle

/// Runs a service with a task executor preference that its child tasks
/// inherit. The admin API runs on the host's call threads this way, so a
/// request's guarded call is queued, run and answered on one thread.
struct ServiceOnExecutor<Base: Service>: Service {
    let base: Base
    let executor: any TaskExecutor

    func run() async throws {
        try await withTaskExecutorPreference(executor) {
            try await base.run()
        }
    }
}
