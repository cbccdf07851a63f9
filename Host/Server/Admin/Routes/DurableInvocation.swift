import CapHostCore
import CapHostState
import HTTPTypes
import Hummingbird

/// Durable invokes (`Caphost-Durable: true`) and `/v1/deliveries`: the call is
/// journaled in SQLite before the 202 answers, then delivered with retries.
enum DurableInvocation {
    static func submit(_ reference: CapabilityReference, method: String, payload: [UInt8], idempotencyKey: String?,
                       _ admin: AdminContext) async throws -> Response {
        let deliveries = try engine(admin)
        let submission: DeliverySubmission
        do throws(DeliveryError) {
            submission = try await deliveries.submit(DeliveryRequest(target: reference, method: method, payload: payload,
                                                                     idempotencyKey: idempotencyKey))
        } catch {
            let status: HTTPResponse.Status = switch error.code {
            case .invalidArgument: .badRequest
            case .unavailable: .serviceUnavailable
            case .internal: .internalServerError
            }
            throw APIError(status, code: error.code.rawValue, message: error.message)
        }
        struct Receipt: Encodable { let deliveryId: String; let idempotencyKey: String; let state: String; let created: Bool }
        let record = submission.record
        return try JSONResponse.make(Receipt(deliveryId: record.id, idempotencyKey: record.idempotencyKey,
                                             state: record.state.rawValue, created: submission.created),
                                     status: submission.created ? .accepted : .ok,
                                     headers: [.location: "/v1/deliveries/\(record.id)"])
    }

    static func addRoutes(to group: RouterGroup<BasicRequestContext>, _ admin: AdminContext) {
        group.get("deliveries/:id") { _, context in
            let id = try context.parameters.require("id")
            let deliveries = try engine(admin)
            guard let record = try await lookup({ () async throws(StateError) in try await deliveries.record(id: id) }) else {
                throw APIError(.notFound, code: "not_found", message: "no delivery \(id) (GET /v1/deliveries lists them)")
            }
            return try JSONResponse.make(record)
        }
        group.get("deliveries") { request, _ in
            let query = request.uri.queryParameters
            var state: DeliveryState?
            if let text = query.get("state") {
                guard let parsed = DeliveryState(rawValue: text) else {
                    throw APIError.badRequest("invalid_argument",
                        "state: expected one of \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'")
                }
                state = parsed
            }
            let limit = try EventRoutes.limit(query.get("limit"), default: 100, in: 1...10_000)
            let deliveries = try engine(admin)
            let records = try await lookup({ () async throws(StateError) in try await deliveries.list(state: state, limit: limit) })
            struct Listing: Encodable { let deliveries: [DeliveryRecord]; let depth: Int }
            return try JSONResponse.make(Listing(deliveries: records, depth: deliveries.depth))
        }
    }

    static func engine(_ admin: AdminContext) throws -> DurableDelivery {
        guard let deliveries = admin.deliveries else {
            throw APIError(.serviceUnavailable, code: "unavailable", message: "durable delivery is not running on this host (it needs the state store)")
        }
        return deliveries
    }

    static func lookup<T>(_ body: () async throws(StateError) -> T) async throws -> T {
        do throws(StateError) {
            return try await body()
        } catch {
            throw APIError(.internalServerError, code: "state_error", message: error.message)
        }
    }
}
