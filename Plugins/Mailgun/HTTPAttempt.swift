import AsyncHTTPClient

/// How one HTTP exchange ended.
enum HTTPAttempt: Sendable {
    /// The server answered (any status).
    case answered(ResponseCollector.Answer, duration: Duration)
    /// No answer. `requestSent` says whether the whole request had gone out first; `timedOut`
    /// whether the attempt's own time limit ended it.
    case failed(any Error, requestSent: Bool, timedOut: Bool, duration: Duration)

    var duration: Duration {
        switch self {
        case .answered(_, let duration), .failed(_, _, _, let duration): duration
        }
    }
}
