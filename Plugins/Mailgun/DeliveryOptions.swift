/// The `options` of a `send` payload: Mailgun's `o:` switches in the notifier's own words.
struct DeliveryOptions: Decodable, Sendable, Hashable {
    /// `o:tracking`.
    let tracking: Bool?
    /// `o:tracking-clicks`: `yes`, `no` or `htmlonly` (a boolean means yes/no).
    let trackingClicks: ClickTracking?
    /// `o:tracking-opens`.
    let trackingOpens: Bool?
    /// `o:deliverytime`, an RFC 2822 date.
    let deliverytime: String?
    /// `o:require-tls`.
    let requireTLS: Bool?

    enum CodingKeys: String, CodingKey {
        case tracking
        case trackingClicks = "tracking_clicks"
        case trackingOpens = "tracking_opens"
        case deliverytime
        case requireTLS = "require_tls"
    }

    /// `o:tracking-clicks`' three values.
    enum ClickTracking: String, Decodable, Sendable, Hashable {
        case yes, no, htmlonly

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = flag ? .yes : .no
                return
            }
            let text = try container.decode(String.self)
            guard let value = ClickTracking(rawValue: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected true, false, \"yes\", \"no\" or \"htmlonly\", found \"\(text)\"")
            }
            self = value
        }
    }
}
