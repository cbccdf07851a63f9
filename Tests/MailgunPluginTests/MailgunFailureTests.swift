import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// How Mailgun's answers map to statuses, and which failures are retried: 429 (honouring
/// Retry-After) and 5xx, bounded; connection failures before the request went out; never a
/// timeout or reset after it went out.
@Suite(.serialized) struct MailgunFailureTests {
    static let domain = "mg.example.com"
    static let apiKey = "key-failures-7c1e0d"

    static func withHost(_ overrides: [String: Any] = [:],
                         _ body: (MailgunPeer, MailgunHost) async throws -> Void) async throws {
        try await MailgunPeer.withPeer(domain: domain, apiKey: apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: apiKey, overrides: overrides)) { test in
                try await peer.reset()
                try await body(peer, test)
            }
        }
    }

    @Test func clientErrorsMapToStatusesWithoutRetry() async throws {
        try await Self.withHost { peer, test in
            let cases: [(Int, InvocationError.Code, String)] = [
                (400, .invalidArgument, "Mailgun rejected the message (400): Forced bad request"),
                (401, .permission, "check the API key"),
                (403, .permission, "a key used in the wrong region"),
                (404, .notFound, "Mailgun does not know the domain 'mg.example.com'"),
            ]
            for (status, code, text) in cases {
                try await peer.setBehaviour(status: status, count: 1)
                let error = try await test.sendFailing(basicMessage())
                #expect(error.code == code, "\(status): \(error)")
                #expect(error.message.contains(text), "\(status): \(error.message)")
            }
            // One request per case: none was retried.
            #expect(try await peer.messageRequests().map(\.status) == [400, 401, 403, 404])
        }
    }

    @Test func rateLimitHonoursRetryAfterSecondsAndHTTPDateThenRecovers() async throws {
        try await Self.withHost { peer, test in
            try await peer.setBehaviour(status: 429, count: 1, retryAfter: "1")
            let clock = ContinuousClock()
            var start = clock.now
            var response = try await test.send(basicMessage())
            #expect(response["attempts"] as? Int == 2)
            #expect(clock.now - start >= .milliseconds(950), "Retry-After: 1 not honoured")

            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            // Two seconds ahead at whole-second precision: at least one second of wait.
            try await peer.setBehaviour(status: 429, count: 1, retryAfter: formatter.string(from: Date().addingTimeInterval(2)))
            start = clock.now
            response = try await test.send(basicMessage())
            #expect(response["attempts"] as? Int == 2)
            #expect(clock.now - start >= .milliseconds(900), "Retry-After HTTP-date not honoured")
            #expect(try await peer.messageRequests().map(\.status) == [429, 200, 429, 200])
        }
    }

    @Test func rateLimitedOnEveryAttemptIsRateLimitedAfterMaxAttempts() async throws {
        try await Self.withHost(["retry_after_max": 0.2]) { peer, test in
            try await peer.setBehaviour(status: 429, count: nil, retryAfter: "3600")
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await test.sendFailing(basicMessage())
            #expect(error.code == .rateLimited, "\(error)")
            #expect(error.message.contains("429"), "\(error.message)")
            // Retry-After: 3600 capped at retry_after_max 0.2 s.
            #expect(clock.now - start < .seconds(5))
            #expect(try await peer.messageRequests().count == 3)
        }
    }

    @Test func noRetryIsScheduledPastTheCallsDeadline() async throws {
        try await Self.withHost { peer, test in
            try await peer.setBehaviour(status: 429, count: nil, retryAfter: "5")
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await test.sendFailing(basicMessage(), timeout: .seconds(2))
            #expect(error.code == .rateLimited, "\(error)")
            #expect(error.message.contains("deadline comes before the next attempt"), "\(error.message)")
            #expect(clock.now - start < .seconds(2))
            #expect(try await peer.messageRequests().count == 1)
        }
    }

    @Test func serverErrorsAreRetriedBoundedAndRecover() async throws {
        try await Self.withHost { peer, test in
            try await peer.setBehaviour(status: 500, count: 2)
            let response = try await test.send(basicMessage())
            #expect(response["attempts"] as? Int == 3)
            #expect(try await peer.messageRequests().map(\.status) == [500, 500, 200])

            try await peer.reset()
            try await peer.setBehaviour(status: 503, count: nil)
            let error = try await test.sendFailing(basicMessage())
            #expect(error.code == .unavailable, "\(error)")
            #expect(error.message.contains("503") && error.message.contains("3 attempts"), "\(error.message)")
            #expect(try await peer.messageRequests().count == 3)
            #expect(test.log.all.filter { $0.contains("retrying in") }.count >= 4)
        }
    }

    @Test func aTimeoutAfterTheBodyWasSentIsNotRetried() async throws {
        try await Self.withHost(["timeout": 1]) { peer, test in
            // The peer holds its answer past the plugin's 1 s attempt limit.
            try await peer.setBehaviour(status: 200, count: 1, delay: 3)
            let error = try await test.sendFailing(basicMessage())
            #expect(error.code == .unavailable, "\(error)")
            #expect(error.message.contains("may or may not have been delivered"), "\(error.message)")
            try await Task.sleep(for: .seconds(2.5))
            #expect(try await peer.messageRequests().count == 1)
        }
    }

    @Test func aConnectionResetAfterTheBodyWasSentIsNotRetried() async throws {
        try await Self.withHost { peer, test in
            try await peer.setBehaviour(status: 0, count: 1)
            let error = try await test.sendFailing(basicMessage())
            #expect(error.code == .unavailable, "\(error)")
            #expect(error.message.contains("may or may not have been delivered"), "\(error.message)")
            #expect(try await peer.messageRequests().count == 1)
        }
    }

    @Test func aRefusedConnectionIsRetriedAndReportedAsNotSent() async throws {
        let peer = try await MailgunPeer.start(domain: Self.domain, apiKey: Self.apiKey)
        let test = try await MailgunHost.start(config: MailgunHost.config(for: peer, apiKey: Self.apiKey))
        #expect(test.report.state == .loaded, "\(test.report.error?.description ?? "")")
        peer.stop()
        try await Task.sleep(for: .milliseconds(200))
        let error = try await test.sendFailing(basicMessage())
        let retries = test.log.all.filter { $0.contains("failed (connect_failed); retrying") }.count
        await test.stop()
        #expect(error.code == .unavailable, "\(error)")
        #expect(error.message.contains("could not reach Mailgun") && error.message.contains("was not sent"), "\(error.message)")
        #expect(retries == 2, "expected 2 retries after refused connections (3 attempts)")
    }
}
