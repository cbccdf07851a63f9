import CapHostCore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/invoke/{domain}/{category}[/{provider}]/{method}`: one guarded
/// call (`GuardedCall`): the payload is checked against the input schema of the
/// provider the call leased, then handed to the plugin as the request's own
/// bytes; the plugin's response bytes go back verbatim.
enum InvokeRoutes {
    static let providerHeader = HTTPField.Name("Caphost-Provider")!
    static let timeoutHeader = HTTPField.Name("Caphost-Timeout")!
    static let durableHeader = HTTPField.Name("Caphost-Durable")!
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    /// What every invoke path starts with (`AdminResponder` takes these before the router).
    static let pathPrefix = "/v1/invoke/"

    static func add(to group: RouterGroup<BasicRequestContext>, _ admin: AdminContext) {
        // One catch-all route, read here: the router's trie would match and store
        // four parameters on every call. Most calls never reach it (`AdminResponder`).
        group.post("invoke/**") { request, context in
            try await invoke(path: context.parameters[Parameters.recursiveCaptureKey] ?? "", request, context, admin)
        }
    }

    /// Serves the invoke whose path after `/v1/invoke/` is `path`.
    nonisolated(nonsending) static func invoke(path: Substring, _ request: Request, _ context: BasicRequestContext,
                                               _ admin: AdminContext) async throws -> Response {
        try await invoke(admin.invokeTargets.site(for: path, invoker: admin.host.invoker), request, context, admin)
    }

    /// `domain/category/method` (the slot's winner) or `domain/category/provider/method`.
    static func target(_ path: Substring) throws -> (CapabilityReference, String) {
        var segments: [Substring] = []
        segments.reserveCapacity(4)
        var rest = path[...]
        while !rest.isEmpty && segments.count <= 4 {
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            if end > rest.startIndex { segments.append(rest[..<end]) }
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        }
        guard segments.count == 3 || segments.count == 4, rest.isEmpty else {
            throw APIError(.notFound, code: "not_found",
                message: "POST /v1/invoke/\(path): expected /v1/invoke/{domain}/{category}/{method} or /v1/invoke/{domain}/{category}/{provider}/{method}")
        }
        let slot = try RouteParameters.slot(domain: String(segments[0]), category: String(segments[1]))
        if segments.count == 3 { return (.slot(slot), String(segments[2])) }
        return (.provider(CapabilityID(slot: slot, provider: String(segments[2]))), String(segments[3]))
    }

    nonisolated(nonsending) static func invoke(_ site: CallSite, _ request: Request, _ context: BasicRequestContext,
                                               _ admin: AdminContext) async throws -> Response {
        let body = try await payload(request, limit: admin.settings.maxRequestBytes)
        if let durable = request.headers.value(of: durableHeader), ["true", "1", "yes"].contains(durable.lowercased()) {
            let payload = Array(body.buffer.readableBytesView)
            do throws(InvocationError) {
                try admin.host.invoker.checkInput(payload, for: site.reference, method: site.method)
            } catch {
                throw APIError(error)
            }
            return try await DurableInvocation.submit(site.reference, method: site.method, payload: payload,
                                                      idempotencyKey: request.headers.value(of: idempotencyHeader), admin)
        }
        let timeout = try timeout(from: request)
        do throws(InvocationError) {
            // The response body is made on the call thread, straight from the plugin's buffer.
            let (provider, bytes) = try await admin.host.invoker.guardedCall(site, timeout: timeout).run(payload: body) { response, provider in
                (provider, ByteBuffer(bytes: response))
            }
            var headers = HTTPFields()
            headers.reserveCapacity(4)
            headers.append(HTTPField(name: .contentType, value: "application/json; charset=utf-8"))
            headers.append(HTTPField(name: providerHeader, value: provider.description))
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
        } catch {
            throw APIError(error)
        }
    }

    /// The request body, collected up to the host's limit.
    nonisolated(nonsending) static func payload(_ request: Request, limit: Int) async throws -> RequestPayload {
        do {
            return RequestPayload(buffer: try await request.body.collect(upTo: limit))
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIErrorMiddleware<BasicRequestContext>.tooLarge(limit: limit)
        }
    }

    static func timeout(from request: Request) throws -> Duration? {
        guard let text = request.headers.value(of: timeoutHeader) else { return nil }
        guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
            throw APIError.badRequest("invalid_argument", "Caphost-Timeout: expected seconds in (0, 3600], found '\(text)'")
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}

/// A request body handed to a plugin in place.
struct RequestPayload: CallPayload {
    let buffer: ByteBuffer

    func withPayloadBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        buffer.withUnsafeReadableBytes(body)
    }
}
