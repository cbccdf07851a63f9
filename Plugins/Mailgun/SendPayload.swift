/// The `send` payload of a notifier, as ``NotifierSendSchema`` describes it.
struct SendPayload: Decodable, Sendable {
    let from: String?
    let to: AddressList?
    let cc: AddressList?
    let bcc: AddressList?
    let subject: String?
    let text: String?
    let html: String?
    let tags: [String]?
    let variables: [String: JSONValue]?
    let headers: [String: String]?
    let attachments: [FilePayload]?
    let inline: [FilePayload]?
    let options: DeliveryOptions?
    let testMode: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case from, to, cc, bcc, subject, text, html, tags, variables, headers, attachments, inline, options
        case testMode = "test_mode"
    }

    /// The payload's top-level field names the schema does not know (a typo such as
    /// `attachment` would otherwise be dropped without a word).
    static func unknownFields(in payload: [String: JSONValue]) -> [String] {
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        return payload.keys.filter { !known.contains($0) }.sorted()
    }
}
