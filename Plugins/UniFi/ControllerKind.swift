/// The three ways a UniFi Network controller serves its API (REFERENCE §5).
enum ControllerKind: String, Sendable, Codable {
    /// The self-hosted Network application (port 8443): `POST /api/login`, cookie `unifises`
    /// and `csrf_token`, data under `/api/s/{site}/…`.
    case classic
    /// A UniFi OS console (UDM, UCG, Cloud Key Gen2+): `POST /api/auth/login`, cookie `TOKEN`,
    /// header `X-CSRF-Token` (rotated through `X-Updated-CSRF-Token`), data under
    /// `/proxy/network/api/s/{site}/…`.
    case unifiOS = "unifi-os"
    /// The Network integration API of a console: header `X-API-KEY`, data under
    /// `/proxy/network/integration/v1`, lists paged as `{offset, limit, count, totalCount, data}`.
    case integration

    /// Where the Network application's classic API lives on this kind.
    var networkPrefix: String {
        switch self {
        case .classic: ""
        case .unifiOS, .integration: "/proxy/network"
        }
    }
}
