import CapHostCore
import Hummingbird

/// Operator commands: swap, pin, unpin, drain, resume (a provider, or a plugin file).
enum ControlRoutes {
    static func add(to group: RouterGroup<BasicRequestContext>, _ admin: AdminContext) {
        group.post("capabilities/:domain/:category/swap") { request, context in
            struct Body: Decodable { let provider: String; let reason: String? }
            let slot = try RouteParameters.slot(context)
            let body = try await JSONResponse.decode(Body.self, from: request, limit: 64 << 10, context: context)
            let outcome: SwapOutcome
            do throws(LifecycleError) {
                outcome = try await admin.host.swap(to: CapabilityID(slot: slot, provider: body.provider),
                                                    reason: body.reason ?? "operator swap (HTTP)")
            } catch {
                throw APIError(error)
            }
            return try JSONResponse.make(outcome)
        }
        group.put("capabilities/:domain/:category/pin") { request, context in
            struct Body: Decodable { let provider: String }
            let slot = try RouteParameters.slot(context)
            let body = try await JSONResponse.decode(Body.self, from: request, limit: 64 << 10, context: context)
            guard !body.provider.isEmpty else {
                throw APIError.badRequest("invalid_argument", "provider: expected a provider name, found an empty string", extra: ["path": "/provider"])
            }
            await admin.host.pin(slot, to: body.provider)
            guard let explanation = admin.host.explain(slot) else { throw RouteParameters.unknownSlot(slot) }
            return try JSONResponse.make(explanation)
        }
        group.delete("capabilities/:domain/:category/pin") { _, context in
            let slot = try RouteParameters.slot(context)
            do throws(LifecycleError) {
                try await admin.host.unpin(slot)
            } catch {
                throw APIError(error)
            }
            guard let explanation = admin.host.explain(slot) else { throw RouteParameters.unknownSlot(slot) }
            return try JSONResponse.make(explanation)
        }
        group.post("capabilities/:domain/:category/:provider/drain") { request, context in
            struct Body: Decodable { let reason: String? }
            let id = try RouteParameters.provider(context)
            let hasBody = (request.headers[.contentLength].flatMap(Int.init) ?? 0) > 0
            let body = hasBody ? try await JSONResponse.decode(Body.self, from: request, limit: 64 << 10, context: context) : Body(reason: nil)
            let inFlight: Int64
            do throws(LifecycleError) {
                inFlight = try await admin.host.drain(id, reason: body.reason ?? "operator drain (HTTP)")
            } catch {
                throw APIError(error)
            }
            struct Drained: Encodable { let provider: String; let inFlightAtStart: Int64 }
            return try JSONResponse.make(Drained(provider: id.description, inFlightAtStart: inFlight))
        }
        // A quarantined isolated plugin, or one the host moved out of its process: by file
        // name or stem (`libfoo.so` or `libfoo`).
        group.post("plugins/:name/resume") { _, context in
            let name = try context.parameters.require("name")
            let done: String
            do throws(LifecycleError) {
                done = try await admin.host.resume(file: name)
            } catch {
                throw APIError(error)
            }
            struct Resumed: Encodable { let plugin: String; let done: String }
            return try JSONResponse.make(Resumed(plugin: name, done: done))
        }
        group.post("capabilities/:domain/:category/:provider/resume") { _, context in
            let id = try RouteParameters.provider(context)
            do throws(LifecycleError) {
                try await admin.host.resume(id)
            } catch {
                throw APIError(error)
            }
            return try JSONResponse.make(["provider": id.description])
        }
    }
}
