import Crypto
import Foundation
import HTTPRetryAfter
import NIOHTTP1
import NotifierMessage
import PluginKit

/// `send`: idempotent replay, checks, the request, bounded retries and the status mapping.
extension MailgunPlugin {
    /// What `send` returns.
    struct SendResult: Codable, Sendable {
        /// Mailgun's message id, `<…@domain>`.
        let id: String?
        /// Mailgun's message, `Queued. Thank you.`.
        let message: String
        /// HTTP attempts it took.
        let attempts: Int
        /// True when the answer came from the idempotency record, not from Mailgun.
        var replayed: Bool?
    }

    /// Mailgun's answer to a message request.
    private struct QueuedDocument: Decodable {
        let id: String?
        let message: String?
    }

    /// Why a retry happened: the `reason` label of `mailgun_retries_total`.
    private enum RetryReason: String {
        case rateLimited = "rate_limited"
        case serverError = "server_error"
        case connectFailed = "connect_failed"
    }

    func send(_ request: PluginRequest) async throws(PluginError) -> PluginResponse {
        let recordKey = request.idempotencyKey.map(Self.idempotencyRecordKey)
        if let recordKey, let replay = storedResult(recordKey) {
            context.metric(.counter, "mailgun_idempotent_replays_total", value: 1)
            return replay
        }
        if let recordKey {
            guard keysInFlight.withLock({ $0.insert(recordKey).inserted }) else {
                throw .conflict("send: a send with this idempotency key is still under way; repeat the call once it has finished to get its answer")
            }
        }
        defer { if let recordKey { _ = keysInFlight.withLock { $0.remove(recordKey) } } }
        let checked = try MailMessage.decode(request.payload, defaultFrom: configuration.defaultFrom)
        let (domain, key) = try configuredDomainAndKey()
        let message = try MailgunMessage(checked, configuration: configuration)
        let (body, contentType) = message.form.encoded()
        guard body.count <= MailLimits.maxMessageBytes else {
            throw .invalidArgument("the encoded message is \(body.count) bytes; Mailgun accepts at most 25 MB (\(MailLimits.maxMessageBytes) bytes)")
        }
        var headers = requestHeaders(key: key)
        headers.add(name: "Content-Type", value: contentType)
        let url = configuration.messagesURL(domain)

        var lastFailure = PluginError.unavailable("no attempt was made")
        for attempt in 1...configuration.maxAttempts {
            let timeout = try attemptTimeout(request.deadline, attempt: attempt, lastFailure: lastFailure)
            let outcome = await transport.exchange(.POST, url: url, headers: headers, body: body, timeout: timeout)
            record(outcome)
            let reason: RetryReason
            var retryAfter: Duration?
            switch outcome {
            case .answered(let answer, _) where answer.status == 200:
                let document = try? JSONDecoder().decode(QueuedDocument.self, from: Data(answer.body))
                let result = SendResult(id: document?.id, message: document?.message ?? "Queued. Thank you.", attempts: attempt)
                let response = try PluginResponse.json(result)
                if let recordKey { remember(result, under: recordKey) }
                return response
            case .answered(let answer, _) where answer.status == 429:
                lastFailure = .rateLimited("Mailgun answered 429 (rate limited) \(attempt == 1 ? "once" : "\(attempt) times"): \(Self.mailgunMessage(answer.body)); the message was not sent")
                reason = .rateLimited
                retryAfter = answer.headers.first(name: "Retry-After").flatMap { RetryAfter.delay($0) }
            case .answered(let answer, _) where (500...599).contains(answer.status):
                lastFailure = .unavailable("Mailgun answered \(answer.status) \(attempt == 1 ? "once" : "on all \(attempt) attempts"): \(Self.mailgunMessage(answer.body)); the message was not sent")
                reason = .serverError
            case .answered(let answer, _):
                throw finalError(answer, domain: domain)
            case .failed(let error, true, let timedOut, _):
                throw .unavailable("the request to \(url) \(timedOut ? "timed out after \(Self.seconds(timeout)) s" : "failed") after the message was sent (\(Self.describe(error))): it may or may not have been delivered; not retried, because Mailgun does not de-duplicate messages")
            case .failed(let error, false, _, _):
                // Nothing Mailgun could act on went out (refused, DNS, TLS, or the body was cut
                // short): safe to try again.
                lastFailure = .unavailable("could not reach Mailgun at \(configuration.baseURL) (\(Self.describe(error))); the message was not sent")
                reason = .connectFailed
            }
            guard attempt < configuration.maxAttempts else { break }
            let delay = retryAfter.map { min($0, configuration.retryAfterMax) } ?? backoff(retry: attempt - 1)
            if let deadline = request.deadline, deadline.remaining <= delay {
                throw PluginError(lastFailure.status, lastFailure.message + "; no retry: the call's deadline comes before the next attempt would")
            }
            context.metric(.counter, "mailgun_retries_total", labels: ["reason": reason.rawValue], value: 1)
            context.log(.warning, "mailgun: attempt \(attempt) of \(configuration.maxAttempts) failed (\(reason.rawValue)); retrying in \(Self.seconds(delay)) s")
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .timeout("send was cancelled while waiting to retry: \(lastFailure.message)")
            }
        }
        throw lastFailure
    }

    /// The domain and key, or why the plugin cannot send.
    func configuredDomainAndKey() throws(PluginError) -> (domain: String, key: String) {
        guard let domain = configuration.domain else {
            throw .unavailable("mailgun is not configured: set 'domain' (your sending domain, e.g. mg.example.com) in the plugin's config")
        }
        guard let key = configuration.apiKey else {
            throw .unavailable("mailgun is not configured: no API key (\(configuration.apiKeySource) is empty); set MAILGUN_API_KEY or the config's api_key / api_key_env")
        }
        return (domain, key)
    }

    /// Basic auth `api:KEY`, JSON answers, and who is calling.
    func requestHeaders(key: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Basic " + Data("api:\(key)".utf8).base64EncodedString())
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "caphost-mailgun/\(Self.manifest.version)")
        return headers
    }

    /// The attempt's time limit: the configured one, or less when the call's deadline is nearer.
    private func attemptTimeout(_ deadline: PluginDeadline?, attempt: Int, lastFailure: PluginError) throws(PluginError) -> Duration {
        guard let deadline else { return configuration.attemptTimeout }
        let remaining = deadline.remaining
        guard remaining > .zero else {
            throw attempt == 1 ? .timeout("the deadline passed before the message was sent")
                : PluginError(lastFailure.status, lastFailure.message + "; the deadline passed before attempt \(attempt)")
        }
        return min(configuration.attemptTimeout, remaining)
    }

    /// The error for a final (non-retryable) answer.
    private func finalError(_ answer: ResponseCollector.Answer, domain: String) -> PluginError {
        let said = Self.mailgunMessage(answer.body)
        switch answer.status {
        case 400:
            return .invalidArgument("Mailgun rejected the message (400): \(said)")
        case 401, 403:
            return .permission("Mailgun refused the credentials (\(answer.status) \(said)) for domain '\(domain)' at \(configuration.baseURL): check the API key (from \(configuration.apiKeySource)), the region (config region '\(configuration.region.rawValue)'; a key used in the wrong region, US api.mailgun.net vs EU api.eu.mailgun.net, gets 401) and that the domain belongs to the key's account")
        case 404:
            return .notFound("Mailgun does not know the domain '\(domain)' at \(configuration.baseURL) (404: \(said)): check the domain name and the region it was created in")
        case 413:
            return .invalidArgument("Mailgun refused the message as too large (413): \(said)")
        case 400..<500:
            return .invalidArgument("Mailgun rejected the request (\(answer.status)): \(said)")
        default:
            return .unavailable("Mailgun answered an unexpected \(answer.status): \(said)")
        }
    }

    /// Metrics of one attempt.
    private func record(_ outcome: HTTPAttempt) {
        let status: String = switch outcome {
        case .answered(let answer, _): String(answer.status)
        case .failed(_, _, let timedOut, _): timedOut ? "timeout" : "error"
        }
        context.metric(.counter, "mailgun_requests_total", labels: ["status": status], value: 1)
        context.metric(.histogram, "mailgun_request_duration_seconds", value: Self.seconds(outcome.duration))
    }

    /// Full-jitter exponential back-off, as the official SDK does: uniform in
    /// [0, min(max, initial · 2^retry)].
    private func backoff(retry: Int) -> Duration {
        let ceiling = min(Self.seconds(configuration.backoffMax), Self.seconds(configuration.backoffInitial) * pow(2, Double(retry)))
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int64(Double.random(in: 0...ceiling) * 1000))
    }

    // MARK: - Idempotency

    /// The kv key for an idempotency key: `sent:KEY` while that fits the store's 256 bytes,
    /// else `sent-sha256:` and the key's SHA-256 in hex. A collision would answer a new
    /// message with another's record and never send it, so the digest is cryptographic, and
    /// the prefixes differ so a short key can never spell a long key's record.
    static func idempotencyRecordKey(_ key: String) -> String {
        let plain = "sent:" + key
        guard plain.utf8.count > 256 else { return plain }
        return "sent-sha256:" + SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func storedResult(_ recordKey: String) -> PluginResponse? {
        do {
            guard let bytes = try context.keyValueStore.get(recordKey),
                  var result = try? JSONDecoder().decode(SendResult.self, from: Data(bytes)) else { return nil }
            result.replayed = true
            return try PluginResponse.json(result)
        } catch {
            context.log(.warning, "mailgun: idempotency record '\(recordKey)' unreadable (\(error.message)); sending")
            return nil
        }
    }

    private func remember(_ result: SendResult, under recordKey: String) {
        do {
            try context.keyValueStore.put(recordKey, Array(try JSONEncoder().encode(result)))
        } catch {
            context.log(.warning, "mailgun: could not record idempotency key '\(recordKey)': \(error); a repeat would send again")
        }
    }

    // MARK: - Text

    /// Mailgun's `{"message": …}`, or the body's text, shortened.
    static func mailgunMessage(_ body: [UInt8]) -> String {
        if let document = try? JSONDecoder().decode(QueuedDocument.self, from: Data(body)), let message = document.message {
            return message
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }

    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
