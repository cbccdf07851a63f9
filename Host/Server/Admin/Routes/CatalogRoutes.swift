import CapHostCore
import Hummingbird

/// Read-only views: plugins, capabilities, explain, resolve.
enum CatalogRoutes {
    static func add(to group: RouterGroup<BasicRequestContext>, _ admin: AdminContext) {
        group.get("plugins") { _, _ in
            try JSONResponse.make(["plugins": admin.host.plugins()])
        }
        group.get("capabilities") { _, _ in
            try JSONResponse.make(["capabilities": admin.host.capabilities()])
        }
        group.get("capabilities/:domain/:category/explain") { _, context in
            let slot = try RouteParameters.slot(context)
            guard let explanation = admin.host.explain(slot) else { throw RouteParameters.unknownSlot(slot) }
            return try JSONResponse.make(explanation)
        }
        group.post("resolve") { request, context in
            struct Body: Decodable { let slot: String }
            let body = try await JSONResponse.decode(Body.self, from: request, limit: 64 << 10, context: context)
            guard let slot = SlotKey(parsing: body.slot) else {
                throw APIError.badRequest("invalid_argument", "slot: expected 'domain:category', found '\(body.slot)'", extra: ["path": "/slot"])
            }
            guard let explanation = admin.host.explain(slot) else { throw RouteParameters.unknownSlot(slot) }
            struct Resolved: Encodable { let slot: String; let provider: String?; let decidedBy: String }
            return try JSONResponse.make(Resolved(slot: slot.description, provider: explanation.active, decidedBy: explanation.decidedBy))
        }
    }
}

/// Reading slots and ids from route parameters, with errors that say what was wrong.
enum RouteParameters {
    static func slot(_ context: BasicRequestContext) throws -> SlotKey {
        try slot(domain: context.parameters.require("domain"), category: context.parameters.require("category"))
    }

    static func slot(domain: String, category: String) throws -> SlotKey {
        // Path segments hold no '/'; a ':' would make the slot's text ambiguous.
        guard !domain.isEmpty, !category.isEmpty, !domain.utf8.contains(0x3A), !category.utf8.contains(0x3A) else {
            throw APIError.badRequest("invalid_argument", "'\(domain)/\(category)' is not a slot: expected /domain/category")
        }
        return SlotKey(domain: domain, category: category)
    }

    static func provider(_ context: BasicRequestContext) throws -> CapabilityID {
        let slot = try slot(context)
        let provider = try context.parameters.require("provider")
        return CapabilityID(slot: slot, provider: provider)
    }

    static func unknownSlot(_ slot: SlotKey) -> APIError {
        APIError(.notFound, code: "unknown_slot", message: "no capability registered for slot \(slot) (GET /v1/capabilities lists them)")
    }
}
