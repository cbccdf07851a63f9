/// One attachment or inline file of a `send` payload: its name, media type and base64 content.
struct FilePayload: Decodable, Sendable, Hashable {
    let filename: String
    let contentType: String?
    let contentBase64: String

    enum CodingKeys: String, CodingKey {
        case filename
        case contentType = "content_type"
        case contentBase64 = "content_base64"
    }
}
