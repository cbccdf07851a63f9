import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (plugins.d was scanned; not draining).
enum HealthRoutes {
    static func add(to router: Router<BasicRequestContext>, _ admin: AdminContext) {
        router.get("healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("readyz") { _, _ in
            guard admin.readiness.isReady else {
                throw APIError(.serviceUnavailable, code: "not_ready", message: "the host is starting or shutting down")
            }
            struct Ready: Encodable { let status: String; let plugins: Int; let capabilities: Int }
            return try JSONResponse.make(Ready(status: "ready", plugins: admin.host.plugins().count,
                                               capabilities: admin.host.capabilities().count))
        }
    }
}
