import CapHostCore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/events`: the host's events as JSON, or as Server-Sent Events that
/// start after `Last-Event-ID` (or `after`) and follow live.
enum EventRoutes {
    static func add(to group: RouterGroup<BasicRequestContext>, _ admin: AdminContext, streams: EventStreams) {
        group.get("events") { request, _ in
            let query = request.uri.queryParameters
            let after = try number(query.get("after"), name: "after") ?? 0
            let limit = try self.limit(query.get("limit"), default: 1000, in: 1...10_000)
            let kinds = try kindFilter(query.get("kind"))
            let wantsStream = request.headers[.accept]?.contains("text/event-stream") == true || query.get("stream") == "true"
            guard wantsStream else {
                return try JSONResponse.make(["events": admin.host.events.events(after: after, limit: limit, kinds: kinds)])
            }
            let resumeAfter = try request.headers[HTTPField.Name("Last-Event-ID")!].map { try number($0, name: "Last-Event-ID") ?? 0 } ?? after
            guard let body = streams.open(events: admin.host.events, after: resumeAfter, kinds: kinds,
                                          keepAlive: admin.settings.keepAliveInterval, limit: admin.settings.maxEventStreams) else {
                throw APIError(.serviceUnavailable, code: "too_many_streams",
                               message: "\(admin.settings.maxEventStreams) event streams are open already (http.max_event_streams); close one or poll GET /v1/events?after=N",
                               headers: [.retryAfter: "5"])
            }
            return Response(status: .ok,
                            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                            body: ResponseBody(asyncSequence: body))
        }
    }

    static func number(_ text: String?, name: String) throws -> UInt64? {
        guard let text else { return nil }
        guard let value = UInt64(text) else {
            throw APIError.badRequest("invalid_argument", "\(name): expected a non-negative integer, found '\(text)'")
        }
        return value
    }

    /// A `limit` query parameter: `fallback` when absent, else a whole number in `range`; any
    /// other number, however long, is a 400 naming the range (never converted past `Int.max`).
    static func limit(_ text: String?, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text else { return fallback }
        guard let value = try number(text, name: "limit"), value <= UInt64(range.upperBound), range.contains(Int(value)) else {
            throw APIError.badRequest("invalid_argument", "limit: expected \(range.lowerBound)…\(range.upperBound), found \(text)")
        }
        return Int(value)
    }

    static func kindFilter(_ text: String?) throws -> Set<HostEvent.Kind>? {
        guard let text, !text.isEmpty else { return nil }
        var kinds = Set<HostEvent.Kind>()
        for name in text.split(separator: ",") {
            guard let kind = HostEvent.Kind(rawValue: String(name)) else {
                throw APIError.badRequest("invalid_argument",
                    "kind: '\(name)' is not an event kind; expected one of \(HostEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds.insert(kind)
        }
        return kinds
    }
}
