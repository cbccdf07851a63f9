/// The claims of a registry bearer JWT (REFERENCE §1: the seed's `jwt_project`).
///
/// Times are Unix seconds, as RFC 7519 `NumericDate`s.
public struct RegistryJWTClaims: Codable, Sendable, Hashable {
    /// The project the caller acts for; a server with a project refuses other projects.
    public var project: String
    /// Who the token names (`sub`), e.g. the calling host.
    public var subject: String?
    /// Issued at (`iat`).
    public var issuedAt: Int64
    /// Not before (`nbf`).
    public var notBefore: Int64
    /// Expires at (`exp`).
    public var expiresAt: Int64

    public init(project: String, subject: String? = nil, issuedAt: Int64, notBefore: Int64, expiresAt: Int64) {
        self.project = project
        self.subject = subject
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case project, subject = "sub", issuedAt = "iat", notBefore = "nbf", expiresAt = "exp"
    }
}
