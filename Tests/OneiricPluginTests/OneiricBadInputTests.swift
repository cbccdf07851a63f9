import CapHostCore
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the plugin says about a bad configuration and a registry that answers nonsense.
@Suite struct OneiricBadInputTests {
    @Test func aBadConfigurationFailsTheLoadNamingTheKey() async throws {
        for (config, expected) in [
            (["transport": "carrier-pigeon"], #"transport must be "grpc" or "mcp", found "carrier-pigeon""#),
            (["transport": "grpc", "grpc": ["address": "registry"]], "grpc.address must be HOST:PORT"),
            (["transport": "grpc", "grpc": ["address": "192.0.2.10:8679"]], "is not loopback: set grpc.ca_file"),
            (["transport": "grpc", "grpc": ["package": "one-iric"]], "grpc.package must be dot-separated proto identifiers"),
            (["transport": "grpc", "grpc": ["jwt": ["secret": "short"]]], "grpc.jwt.secret must hold at least 16 bytes"),
            (["transport": "mcp", "mcp": ["url": "http://registry.example.com/mcp"]], "plain http to a non-loopback host"),
            (["cache_ttl": -1], "cache_ttl must be 0.0…86400.0 seconds, found -1.0"),
        ] as [([String: Any], String)] {
            do {
                try await OneiricTestHost.with(config: config) { _ in Issue.record("\(config) was accepted") }
            } catch {
                #expect("\(error)".contains(expected), "\(config): \(error)")
                #expect(!"\(error)".contains("short"), "a secret is never repeated")
            }
        }
    }

    @Test func aMalformedReplyIsAnInternalErrorQuotingItsFirstBytes() async throws {
        let server = try GarbageServer(reply: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nmcp-session-id: s1\r\nContent-Length: 28\r\nConnection: close\r\n\r\n<html>not json at all</html>")
        defer { server.stop() }
        try await OneiricTestHost.with(config: ["transport": "mcp", "mcp": ["url": "http://127.0.0.1:\(server.port)/mcp"],
                                                "timeout": 2, "max_attempts": 1]) { test in
            let failure = await test.failure("get_adapter", ["adapter_id": "adapter:cache:redis"])
            #expect(failure?.code == .internal, "\(String(describing: failure))")
            #expect(failure?.message.contains(#""<html>not json at all</html>""#) == true, "\(String(describing: failure))")
            #expect(failure?.message.contains("mcp http://127.0.0.1:\(server.port)/mcp") == true, "\(String(describing: failure))")
        }
    }
}

/// A loopback TCP server that answers every connection with the same bytes and closes it.
final class GarbageServer: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32
    private let thread: Thread

    init(reply: String) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let descriptor = descriptor
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 16) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw FixtureError("cannot listen on loopback: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let bytes = Array(reply.utf8)
        thread = Thread {
            while true {
                let client = accept(descriptor, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 65_536)
                _ = read(client, &buffer, buffer.count)
                _ = bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                close(client)
            }
        }
        thread.start()
    }

    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}
