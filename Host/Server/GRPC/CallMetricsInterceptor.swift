import GRPCCore
import Metrics

/// Counts every call to the registry's methods in `caphost_grpc_requests_total`,
/// by method and final status code (`OK`, `NOT_FOUND`, `UNAUTHENTICATED` … as
/// gRPC spells them). Runs first in the pipeline, so calls refused by the
/// token check are counted too. Calls to methods the server does not have
/// (another package, a typo) never reach an interceptor and are not counted.
struct CallMetricsInterceptor: ServerInterceptor {
    static let counterLabel = "caphost_grpc_requests_total"

    private let counters: CallCounters

    init(factory: any MetricsFactory) {
        counters = CallCounters(factory: factory)
    }

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let method = context.descriptor.method
        let counters = self.counters
        let response: StreamingServerResponse<Output>
        do {
            response = try await next(request, context)
        } catch {
            counters.increment(method: method, code: Self.statusName(of: error))
            throw error
        }
        switch response.accepted {
        case .failure(let error):
            counters.increment(method: method, code: Self.statusName(of: error.code))
            return response
        case .success(var contents):
            // The status is final only once the response has been written.
            let produce = contents.producer
            contents.producer = { writer in
                do {
                    let trailers = try await produce(writer)
                    counters.increment(method: method, code: "OK")
                    return trailers
                } catch {
                    counters.increment(method: method, code: Self.statusName(of: error))
                    throw error
                }
            }
            return StreamingServerResponse(accepted: .success(contents))
        }
    }

    /// The status a thrown error becomes on the wire (what the server executor does with it).
    static func statusName(of error: any Error) -> String {
        switch error {
        case let error as RPCError: statusName(of: error.code)
        case let error as any RPCErrorConvertible: statusName(of: error.rpcErrorCode)
        default: "UNKNOWN"
        }
    }

    static func statusName(of code: RPCError.Code) -> String {
        canonicalNames.first { $0.code == code }?.name ?? "UNKNOWN"
    }

    private static let canonicalNames: [(code: RPCError.Code, name: String)] = [
        (.cancelled, "CANCELLED"), (.unknown, "UNKNOWN"), (.invalidArgument, "INVALID_ARGUMENT"),
        (.deadlineExceeded, "DEADLINE_EXCEEDED"), (.notFound, "NOT_FOUND"), (.alreadyExists, "ALREADY_EXISTS"),
        (.permissionDenied, "PERMISSION_DENIED"), (.resourceExhausted, "RESOURCE_EXHAUSTED"),
        (.failedPrecondition, "FAILED_PRECONDITION"), (.aborted, "ABORTED"), (.outOfRange, "OUT_OF_RANGE"),
        (.unimplemented, "UNIMPLEMENTED"), (.internalError, "INTERNAL"), (.unavailable, "UNAVAILABLE"),
        (.dataLoss, "DATA_LOSS"), (.unauthenticated, "UNAUTHENTICATED"),
    ]
}
