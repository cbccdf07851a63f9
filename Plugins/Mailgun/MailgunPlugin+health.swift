import Foundation
import PluginKit

/// The health check: configuration first, then Mailgun's domains API — never a message.
extension MailgunPlugin {
    /// Healthy when the domain and key are configured and `GET {base}/v3/domains/{domain}`
    /// answers 200; otherwise throws the reason (permission, unknown domain, Mailgun down).
    func checkDomain() async throws(PluginError) {
        let (domain, key) = try configuredDomainAndKey()
        let url = configuration.domainURL(domain)
        let outcome = await transport.exchange(.GET, url: url, headers: requestHeaders(key: key), body: nil,
                                               timeout: configuration.attemptTimeout)
        switch outcome {
        case .answered(let answer, _):
            let said = Self.mailgunMessage(answer.body)
            switch answer.status {
            case 200:
                return
            case 401, 403:
                throw .permission("Mailgun refused the credentials (\(answer.status) \(said)) at \(url): check the API key (from \(configuration.apiKeySource)), the region (config region '\(configuration.region.rawValue)'; a key used in the wrong region, US api.mailgun.net vs EU api.eu.mailgun.net, gets 401) and the domain")
            case 404:
                throw .notFound("Mailgun does not know the domain '\(domain)' at \(configuration.baseURL) (404: \(said)): check the domain name and its region")
            default:
                throw .unavailable("Mailgun's domains API answered \(answer.status) at \(url): \(said)")
            }
        case .failed(let error, _, let timedOut, _):
            throw .unavailable("could not reach Mailgun at \(url) (\(timedOut ? "timed out after \(Self.seconds(configuration.attemptTimeout)) s" : Self.describe(error)))")
        }
    }
}
