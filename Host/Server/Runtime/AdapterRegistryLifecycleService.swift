import CapHostGRPC
import ServiceLifecycle

/// The gRPC AdapterRegistry as a service of the runtime's group: on graceful
/// shutdown it stops accepting calls and lets in-flight ones finish.
struct AdapterRegistryLifecycleService: Service {
    let server: AdapterRegistryServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
