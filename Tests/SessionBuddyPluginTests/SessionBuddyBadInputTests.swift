import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Payloads and configurations the plugin refuses, each refusal naming the field, what it
/// expects and what it found.
@Suite(.serialized) struct SessionBuddyBadInputTests {
    @Test func badPayloadsAreInvalidArgumentsNamingTheField() async throws {
        try await SessionBuddyPeer.with { peer in
            try await SessionBuddyTestHost.with(config: SessionBuddyTestHost.config(peer)) { test in
                let cases: [(String, [String: Any], [String])] = [
                    ("store", [:], ["content"]),
                    ("store", ["content": 42], ["content"]),
                    ("store", ["content": String(repeating: "a", count: 65_537)], ["content", "65536", "65537"]),
                    ("store", ["content": "x", "tags": Array(repeating: "t", count: 33)], ["tags"]),
                    ("store", ["content": "x", "tags": [String(repeating: "t", count: 129)]], ["tags"]),
                    ("store", ["content": "x", "project": "has spaces!"], ["project"]),
                    ("store", ["content": "x", "colour": "blue"], ["colour"]),
                    ("search", [:], ["query"]),
                    ("search", ["query": "x", "limit": 0], ["limit"]),
                    ("search", ["query": "x", "limit": 101], ["limit"]),
                    ("search", ["query": "x", "limit": "ten"], ["limit"]),
                    ("stats", ["project": 7], ["project"]),
                ]
                for (method, payload, words) in cases {
                    let failure = await test.failure(method, payload)
                    #expect(failure?.code == .invalidArgument, "\(method) \(payload.keys.sorted()): \(String(describing: failure))")
                    for word in words {
                        #expect(failure?.message.contains(word) == true, "\(method) \(payload.keys.sorted()): '\(word)' not in \(String(describing: failure))")
                    }
                }
                let notJSON = await test.failure("store", payload: Array("content=x".utf8))
                #expect(notJSON?.code == .invalidArgument, "\(String(describing: notJSON))")
                // None of them reached session-buddy.
                let stats = try await test.call("stats")
                #expect(stats["total"] as? Int == 0)
            }
        }
    }

    @Test func aBadConfigurationFailsTheLoadNamingTheKey() async throws {
        for (config, expected) in [
            (#"{"url": "ftp://127.0.0.1/mcp"}"#, "url must be session-buddy's MCP endpoint"),
            (#"{"url": "http://127.0.0.1:8678"}"#, "url must name the MCP path"),
            (#"{"timeout": 0}"#, "timeout must be 0.05...300.0 seconds, found 0.0"),
            (#"{"max_attempts": 9}"#, "max_attempts must be 1...5, found 9"),
            (#"{"health_path": "healthz"}"#, "health_path must start with '/'"),
        ] {
            try await TestHost.with({ $0.pluginConfigs["session-buddy"] = config }) { testHost in
                let report = try await SessionBuddyTestHost.load(into: testHost)
                #expect(report.state != .loaded, "\(config)")
                #expect("\(String(describing: report.error))".contains(expected), "\(config): \(String(describing: report.error))")
            }
        }
    }
}
