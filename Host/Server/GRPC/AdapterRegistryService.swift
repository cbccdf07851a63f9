import CapHostCore
import GRPCCore
import GRPCProtobuf
import Logging
import OneiricWire
import SwiftProtobuf

/// The seed's `AdapterRegistry` over the host's own adapter catalog.
///
/// The methods are registered by hand, not through generated service stubs,
/// because the proto package is part of every method's path and is a setting:
/// `/<package>.AdapterRegistry/ListAdapters`.
struct AdapterRegistryService: RegistrableRPCService {
    let host: CapabilityHost
    let logger: Logger

    /// The proto package the service is served under.
    let package: String

    func descriptor(for method: RegistryMethod) -> GRPCCore.MethodDescriptor {
        method.descriptor(package: package)
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        registerUnary(.listAdapters, on: &router, listAdapters)
        registerUnary(.getAdapter, on: &router, getAdapter)
        registerUnary(.healthCheck, on: &router, healthCheck)
        registerUnary(.heartbeat, on: &router, heartbeat)
        registerUnary(.storeAdapter, on: &router, storeAdapter)
        registerUnary(.removeAdapter, on: &router, removeAdapter)
    }

    private func registerUnary<Transport: ServerTransport, Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: RegistryMethod, on router: inout RPCRouter<Transport>,
        _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        router.registerHandler(forMethod: descriptor(for: method),
                               deserializer: ProtobufDeserializer<Request>(),
                               serializer: ProtobufSerializer<Response>()) { request, _ in
            let message = try await ServerRequest(stream: request).message
            return StreamingServerResponse(single: ServerResponse(message: try await handler(message)))
        }
    }

    // MARK: - Methods

    func listAdapters(_ request: Oneiric_Registry_V1_ListRequest) async throws -> Oneiric_Registry_V1_ListResponse {
        let filter = AdapterFilter(project: request.project, domain: request.domain, category: request.category,
                                   healthyOnly: request.healthyOnly)
        var response = Oneiric_Registry_V1_ListResponse()
        response.adapters = host.adapters(matching: filter).map(Oneiric_Registry_V1_AdapterEntry.init)
        return response
    }

    func getAdapter(_ request: Oneiric_Registry_V1_GetRequest) async throws -> Oneiric_Registry_V1_GetResponse {
        let id = try Self.adapterID(request.adapterID)
        guard let entry = host.adapter(id: id) else { throw AdapterRegistryCallError.adapterNotFound(id) }
        var response = Oneiric_Registry_V1_GetResponse()
        response.adapter = Oneiric_Registry_V1_AdapterEntry(entry)
        return response
    }

    func healthCheck(_ request: Oneiric_Registry_V1_HealthCheckRequest) async throws -> Oneiric_Registry_V1_HealthCheckResponse {
        let id = try Self.adapterID(request.adapterID)
        guard let observation = await host.checkAdapterHealth(id: id) else {
            throw AdapterRegistryCallError.adapterNotFound(id)
        }
        if !observation.healthy {
            logger.debug("registry health check failed", metadata: [
                "adapter": "\(id)", "status": "\(observation.status)", "message": "\(observation.message)",
            ])
        }
        var response = Oneiric_Registry_V1_HealthCheckResponse()
        response.healthy = observation.healthy
        return response
    }

    func heartbeat(_ request: Oneiric_Registry_V1_HeartbeatRequest) async throws -> Oneiric_Registry_V1_HeartbeatResponse {
        let id = try Self.adapterID(request.adapterID)
        var response = Oneiric_Registry_V1_HeartbeatResponse()
        response.registered = host.heartbeat(id: id)
        return response
    }

    func storeAdapter(_ request: Oneiric_Registry_V1_StoreRequest) async throws -> Oneiric_Registry_V1_StoreResponse {
        throw AdapterRegistryCallError.readOnly(method: RegistryMethod.storeAdapter.rawValue)
    }

    func removeAdapter(_ request: Oneiric_Registry_V1_RemoveRequest) async throws -> Oneiric_Registry_V1_RemoveResponse {
        throw AdapterRegistryCallError.readOnly(method: RegistryMethod.removeAdapter.rawValue)
    }

    /// The request's adapter id, refused when empty or not `domain:category:provider`.
    static func adapterID(_ text: String) throws(AdapterRegistryCallError) -> String {
        guard !text.isEmpty else { throw .missingField("adapter_id") }
        guard CapabilityID(parsing: text) != nil else { throw .malformedAdapterID(text) }
        return text
    }
}
