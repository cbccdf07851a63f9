import CapHostCore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/invoke/{domain}/{category}[/{provider}]/{method}`: the payload is
/// validated against the method's schema here, at the edge, then handed to the
/// plugin as bytes; the plugin's response bytes go back verbatim.
enum InvokeRoutes {
    static let providerHeader = HTTPField.Name("Caphost-Provider")!
    static let timeoutHeader = HTTPField.Name("Caphost-Timeout")!
    static let durableHeader = HTTPField.Name("Caphost-Durable")!
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    static func add(to group: RouterGroup<BasicRequestContext>, _ admin: AdminContext) {
        // One parameter name for the third segment: it is the method of a slot
        // call, or the provider of a provider call.
        group.post("invoke/:domain/:category/:name") { request, context in
            let slot = try RouteParameters.slot(context)
            return try await invoke(.slot(slot), method: context.parameters.require("name"), request, context, admin)
        }
        group.post("invoke/:domain/:category/:name/:method") { request, context in
            let slot = try RouteParameters.slot(context)
            let id = CapabilityID(slot: slot, provider: try context.parameters.require("name"))
            return try await invoke(.provider(id), method: context.parameters.require("method"), request, context, admin)
        }
    }

    static func invoke(_ reference: CapabilityReference, method: String, _ request: Request, _ context: BasicRequestContext,
                       _ admin: AdminContext) async throws -> Response {
        let payload = try await payloadBytes(request, limit: admin.settings.maxRequestBytes)
        try PayloadValidation.validate(payload, for: reference, method: method, host: admin.host)
        if let durable = request.headers[durableHeader], ["true", "1", "yes"].contains(durable.lowercased()) {
            return try await DurableInvocation.submit(reference, method: method, payload: payload,
                                                      idempotencyKey: request.headers[idempotencyHeader], admin)
        }
        let timeout = try timeout(from: request)
        do throws(InvocationError) {
            let response = try await admin.host.invoker.invoke(reference, method: method, payload: payload, timeout: timeout)
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            headers[providerHeader] = response.provider.description
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
        } catch {
            throw APIError(error)
        }
    }

    static func payloadBytes(_ request: Request, limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, code: "payload_too_large",
                           message: "the payload is larger than the host accepts (\(limit) bytes; http max_request_bytes)")
        }
    }

    static func timeout(from request: Request) throws -> Duration? {
        guard let text = request.headers[timeoutHeader] else { return nil }
        guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
            throw APIError.badRequest("invalid_argument", "Caphost-Timeout: expected seconds in (0, 3600], found '\(text)'")
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}
