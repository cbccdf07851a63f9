import CapHostCore
import Hummingbird

enum DurableInvocation {
    static func submit(_ reference: CapabilityReference, method: String, payload: [UInt8], idempotencyKey: String?,
                       _ admin: AdminContext) async throws -> Response {
        throw APIError(.notImplemented, code: "unimplemented", message: "durable")
    }
}
