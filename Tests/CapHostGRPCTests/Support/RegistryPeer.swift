import CapHostCore
import CapHostTestSupport
import Foundation

/// One call for the Python client (`Tests/Peers/adapter_registry_client.py`).
struct PeerCall: Encodable, Sendable {
    /// What the call sends as `authorization` metadata.
    enum Authorization: Sendable {
        /// The client's `--token` (or nothing when it has none).
        case inherited
        /// No `authorization` metadata at all.
        case absent
        /// Exactly this value.
        case value(String)
    }

    let method: String
    let request: [String: RequestField]
    var authorization: Authorization = .inherited

    enum RequestField: Encodable, Sendable {
        case text(String)
        case flag(Bool)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .flag(let flag): try container.encode(flag)
            }
        }
    }

    static func list(project: String = "", domain: String = "", category: String = "", healthyOnly: Bool = false) -> PeerCall {
        PeerCall(method: "ListAdapters", request: ["project": .text(project), "domain": .text(domain),
                                                   "category": .text(category), "healthy_only": .flag(healthyOnly)])
    }
    static func get(_ id: String) -> PeerCall { PeerCall(method: "GetAdapter", request: ["adapter_id": .text(id)]) }
    static func health(_ id: String) -> PeerCall { PeerCall(method: "HealthCheck", request: ["adapter_id": .text(id)]) }
    static func heartbeat(_ id: String) -> PeerCall { PeerCall(method: "Heartbeat", request: ["adapter_id": .text(id)]) }

    func authorized(_ authorization: Authorization) -> PeerCall {
        var call = self
        call.authorization = authorization
        return call
    }

    enum CodingKeys: String, CodingKey { case method, request, authorization }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(method, forKey: .method)
        try container.encode(request, forKey: .request)
        switch authorization {
        case .inherited: break
        case .absent: try container.encodeNil(forKey: .authorization)
        case .value(let value): try container.encode(value, forKey: .authorization)
        }
    }
}

/// What the Python client printed: the package its stubs were generated under,
/// and one result per call.
struct PeerReply: Decodable, Sendable {
    let package: String
    let results: [PeerResult]
}

/// One call's outcome as the Python client saw it.
struct PeerResult: Decodable, Sendable {
    let method: String
    /// The gRPC status name (`OK`, `NOT_FOUND`, …).
    let code: String
    let details: String
    let response: Response?

    /// Every response message's fields (each call fills its own).
    struct Response: Decodable, Sendable {
        let adapters: [AdapterEntry]?
        let adapter: AdapterEntry?
        let healthy: Bool?
        let registered: Bool?
    }
}

/// Runs the independent Python client against a registry on 127.0.0.1.
enum RegistryPeer {
    static var protoPath: String { FixturePlugins.repositoryRoot + "/Plugins/OneiricWire/Proto/adapter_registry.proto" }
    static var clientPath: String { FixturePlugins.repositoryRoot + "/Tests/Peers/adapter_registry_client.py" }

    /// Sends `calls` in order over one channel and returns what came back.
    static func call(port: Int, _ calls: [PeerCall], package: String? = nil, token: String? = nil,
                     tls: (caPath: String, serverName: String)? = nil,
                     clientCertificate: SelfSignedCertificate? = nil) async throws -> PeerReply {
        let python = try await PeerVenv.shared.pythonPath()
        var arguments = [clientPath, "--port", "\(port)", "--proto", protoPath]
        if let package { arguments += ["--package", package] }
        if let token { arguments += ["--token", token] }
        if let tls { arguments += ["--tls-ca", tls.caPath, "--tls-server-name", tls.serverName] }
        if let clientCertificate {
            arguments += ["--tls-client-cert", clientCertificate.certificatePath, "--tls-client-key", clientCertificate.keyPath]
        }
        let input = String(decoding: try JSONEncoder().encode(calls), as: UTF8.self)
        let output = try await PeerProcess.run(python, arguments, stdin: input)
        guard output.status == 0 else {
            throw FixtureError("adapter_registry_client.py exited \(output.status):\n\(output.stderr)\(output.stdout)")
        }
        do {
            let reply = try JSONDecoder().decode(PeerReply.self, from: Data(output.stdout.utf8))
            guard reply.results.count == calls.count else {
                throw FixtureError("adapter_registry_client.py answered \(reply.results.count) calls of \(calls.count)")
            }
            return reply
        } catch let error as DecodingError {
            throw FixtureError("adapter_registry_client.py printed no reply JSON (\(error)):\n\(output.stdout)\n\(output.stderr)")
        }
    }
}
