import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// Repeats with one idempotency key send once (also across a host restart, through the host's
/// SQLite key-value store); the health check reads the domains API and never sends mail.
@Suite(.serialized) struct MailgunIdempotencyHealthTests {
    static let domain = "mg.example.com"
    static let apiKey = "key-idem-health-88f0"

    @Test func aRepeatedIdempotencyKeyIsAnsweredFromTheRecord() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            let config = MailgunHost.config(for: peer, apiKey: Self.apiKey)
            let first = try await MailgunHost.start(config: config)
            #expect(first.report.state == .loaded, "\(first.report.error?.description ?? "")")
            let original = try await first.send(basicMessage(), idempotencyKey: "delivery-1")
            let repeated = try await first.send(basicMessage(), idempotencyKey: "delivery-1")
            let other = try await first.send(basicMessage(), idempotencyKey: "delivery-2")
            let unkeyed = try await first.send(basicMessage())
            await first.stop(keepState: true)
            #expect(repeated["id"] as? String == original["id"] as? String)
            #expect(repeated["replayed"] as? Bool == true)
            #expect(original["replayed"] == nil)
            #expect(other["id"] as? String != original["id"] as? String)
            #expect(unkeyed["id"] as? String != original["id"] as? String)
            #expect(try await peer.messageRequests().count == 3)

            // A restarted host over the same state folder still knows the key.
            let second = try await MailgunHost.start(config: config, reusing: first.folder)
            #expect(second.report.state == .loaded, "\(second.report.error?.description ?? "")")
            let afterRestart = try await second.send(basicMessage(), idempotencyKey: "delivery-1")
            let longKey = String(repeating: "k", count: 256)
            let long1 = try await second.send(basicMessage(), idempotencyKey: longKey)
            let long2 = try await second.send(basicMessage(), idempotencyKey: longKey)
            await second.stop()
            #expect(afterRestart["id"] as? String == original["id"] as? String)
            #expect(long1["id"] as? String == long2["id"] as? String)
            #expect(try await peer.messageRequests().count == 4)
        }
    }

    @Test func longKeysThatCollidedUnderTheOldHashAreBothSent() async throws {
        // Two 256-byte keys (the host's largest), equal for their first 245 bytes, with the same
        // 64-bit FNV-1a hash (0x176236f331c4a149, found by a Pollard-rho search). Keys over 251
        // bytes used to be recorded under that hash and their length, so the second message was
        // answered from the first one's record and never sent.
        let prefix = String(repeating: "k", count: 245)
        let first = prefix + "MbKBpW6oS4B", second = prefix + "qUpo-F2ipsE"
        #expect(Self.fnv1a(first) == Self.fnv1a(second) && first.utf8.count == 256 && second.utf8.count == 256)
        // And two that differ only after byte 252.
        let third = String(repeating: "k", count: 252) + "tail", fourth = String(repeating: "k", count: 252) + "tall"
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                let one = try await test.send(basicMessage(["subject": "first"]), idempotencyKey: first)
                let two = try await test.send(basicMessage(["subject": "second"]), idempotencyKey: second)
                let again = try await test.send(basicMessage(["subject": "first"]), idempotencyKey: first)
                #expect(two["replayed"] == nil, "the second key was answered from the first key's record")
                #expect(two["id"] as? String != one["id"] as? String)
                #expect(again["replayed"] as? Bool == true && again["id"] as? String == one["id"] as? String)
                let three = try await test.send(basicMessage(["subject": "third"]), idempotencyKey: third)
                let four = try await test.send(basicMessage(["subject": "fourth"]), idempotencyKey: fourth)
                #expect(three["replayed"] == nil && four["replayed"] == nil)
                #expect(try await peer.messageRequests().flatMap { $0.values("subject") } == ["first", "second", "third", "fourth"])
            }
        }
    }

    /// The 64-bit FNV-1a the plugin used to record long keys under.
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { hash, byte in (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }

    @Test func aConcurrentRepeatIsAConflictNotASecondMessage() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                try await peer.reset()
                try await peer.setBehaviour(status: 200, count: 1, delay: 1.5)
                async let first = test.send(basicMessage(), idempotencyKey: "concurrent")
                try await Task.sleep(for: .milliseconds(400))
                do {
                    _ = try await test.send(basicMessage(), idempotencyKey: "concurrent")
                    Issue.record("a concurrent repeat was sent")
                } catch let error as InvocationError {
                    #expect(error.code == .conflict, "\(error)")
                    #expect(error.message.contains("still under way"), "\(error.message)")
                }
                let original = try await first
                let repeated = try await test.send(basicMessage(), idempotencyKey: "concurrent")
                #expect(repeated["id"] as? String == original["id"] as? String)
                #expect(try await peer.messageRequests().count == 1)
            }
        }
    }

    @Test func aFailedSendIsNotRecordedSoItsRepeatSends() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                try await peer.setBehaviour(status: 400, count: 1)
                do {
                    _ = try await test.send(basicMessage(), idempotencyKey: "retry-me")
                    Issue.record("the forced 400 was not reported")
                } catch let error as InvocationError {
                    #expect(error.code == .invalidArgument)
                }
                let response = try await test.send(basicMessage(), idempotencyKey: "retry-me")
                #expect(response["replayed"] == nil)
                #expect(try await peer.messageRequests().map(\.status) == [400, 200])
            }
        }
    }

    @Test func healthReadsTheDomainsAPIAndReportsWhatIsWrong() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            try await MailgunHost.with(config: MailgunHost.config(for: peer, apiKey: Self.apiKey)) { test in
                var health = await test.host.checkAdapterHealth(id: MailgunHost.capability)
                #expect(health?.healthy == true, "\(String(describing: health))")

                let cases: [(Int, String, String)] = [
                    (401, "PERMISSION", "check the API key"),
                    (403, "PERMISSION", "region"),
                    (404, "NOT_FOUND", "does not know the domain"),
                    (500, "UNAVAILABLE", "answered 500"),
                    (0, "UNAVAILABLE", "could not reach Mailgun"),
                ]
                for (status, expectedStatus, text) in cases {
                    try await peer.setBehaviour(status: status, count: 1, endpoint: .domains)
                    health = await test.host.checkAdapterHealth(id: MailgunHost.capability)
                    #expect(health?.healthy == false, "\(status)")
                    #expect(health?.status.contains(expectedStatus) == true, "\(status): \(String(describing: health))")
                    #expect(health?.message.contains(text) == true, "\(status): \(String(describing: health))")
                }
                health = await test.host.checkAdapterHealth(id: MailgunHost.capability)
                #expect(health?.healthy == true, "recovered: \(String(describing: health))")
                let requests = try await peer.requests()
                #expect(requests.allSatisfy { $0.method == "GET" && $0.path == "/v3/domains/\(Self.domain)" },
                        "health sent something else: \(requests)")
                #expect(requests.count >= 7)
            }
        }
    }

    @Test func anUnknownDomainFailsTheLoadAsNotFound() async throws {
        try await MailgunPeer.withPeer(domain: Self.domain, apiKey: Self.apiKey) { peer in
            let test = try await MailgunHost.start(config: MailgunHost.config(for: peer, apiKey: Self.apiKey,
                                                                              overrides: ["domain": "unknown.example.org"]))
            await test.stop()
            let detail = test.report.error?.description ?? ""
            #expect(test.report.state != .loaded)
            #expect(detail.contains("NOT_FOUND") && detail.contains("unknown.example.org"), "\(detail)")
        }
    }
}
