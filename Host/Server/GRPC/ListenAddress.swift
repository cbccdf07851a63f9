#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP literal a server binds (the registry, the admin API) or a client names,
/// classified once so the loopback rule and the transport agree on what was written.
package struct ListenAddress: Sendable, Hashable {
    /// The literal to bind (`localhost` already turned into `127.0.0.1`).
    package let host: String
    package let isIPv6: Bool
    /// 127.0.0.0/8 or ::1 (and ::ffff:127.x.y.z).
    package let isLoopback: Bool

    /// Parses an IPv4 or IPv6 literal, or `localhost`; nil for anything else
    /// (host names are not resolved: the bound address must be what was written).
    package init?(_ text: String) {
        let literal = text == "localhost" ? "127.0.0.1" : text
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, literal, &ipv4) == 1 {
            host = literal
            isIPv6 = false
            // s_addr is in network byte order: its first byte is the first octet.
            isLoopback = withUnsafeBytes(of: &ipv4) { $0[0] == 127 }
        } else if inet_pton(AF_INET6, literal, &ipv6) == 1 {
            host = literal
            isIPv6 = true
            isLoopback = withUnsafeBytes(of: &ipv6) { bytes in
                let isIPv6Loopback = bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
                let isMappedIPv4Loopback = bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xFF
                    && bytes[11] == 0xFF && bytes[12] == 127
                return isIPv6Loopback || isMappedIPv4Loopback
            }
        } else {
            return nil
        }
    }
}
