import CapHostCore
import CapHostTestSupport
import Foundation
import Synchronization
import Testing

/// The one call path the edges use: resolve once, check the payload against the
/// schema of the provider actually leased, call, build the response in place.
@Suite(.serialized) struct GuardedCallTests {
    let slot = SlotKey(domain: "adapter", category: "bench")

    /// `echo` of provider `name` requires an object with member `required`.
    func defines(_ name: String, requiring required: String) -> [String: String] {
        var defines = providerDefines(name: name, provider: name)
        defines["ECHO_SCHEMA"] = "\"{\\\"type\\\":\\\"object\\\",\\\"required\\\":[\\\"\(required)\\\"]}\""
        return defines
    }

    /// Calls `provider` answered (refused payloads are not calls).
    func calls(of provider: String, _ host: CapabilityHost) -> Int64? {
        host.explain(slot)?.candidates.first { $0.id == CapabilityID(slot: slot, provider: provider).description }?.calls
    }

    /// Providers `a` (echo requires `a`) and `b` (echo requires `b`) swap 400
    /// times while eight tasks send `{"a":1}`: a payload checked against one
    /// provider's schema and delivered to the other would come back as a
    /// success from `b`. Every success must come from `a`, every refusal must
    /// name `b`'s schema, and both must have happened.
    @Test func aSwapBetweenCheckAndCallNeverDeliversAPayloadToAProviderWhoseSchemaItBreaks() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "a.so", defines: defines("a", requiring: "a"))
            try await test.load("noop.c", as: "b.so", defines: defines("b", requiring: "b"))
            let invoker = test.host.invoker
            let shared = SharedTally()
            let payload = Array(#"{"a":1}"#.utf8)
            let slot = self.slot
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        while !shared.stop.load(ordering: .relaxed) {
                            let call = try invoker.guardedCall(.slot(slot), method: "echo")
                            let outcome: String
                            do throws(InvocationError) {
                                let (provider, body) = try await call.run(payload: payload) { bytes, provider in (provider, Array(bytes)) }
                                outcome = body == payload ? "ok from \(provider.provider)" : "wrong body from \(provider.provider)"
                            } catch {
                                outcome = "\(error.payloadProblem?.code ?? error.code.rawValue) from \(error.provider?.provider ?? "?")"
                            }
                            shared.tally.withLock { $0[outcome, default: 0] += 1 }
                        }
                    }
                }
                for index in 0..<400 {
                    try await test.host.swap(to: CapabilityID(slot: slot, provider: index % 2 == 0 ? "b" : "a"))
                    try await Task.sleep(for: .microseconds(200))
                }
                shared.stop.store(true, ordering: .relaxed)
                try await group.waitForAll()
            }
            let outcomes = shared.tally.withLock { $0 }
            #expect(Set(outcomes.keys).isSubset(of: ["ok from a", "schema_violation from b"]), "outcomes: \(outcomes)")
            #expect(outcomes["ok from a", default: 0] > 0, "outcomes: \(outcomes)")
            #expect(outcomes["schema_violation from b", default: 0] > 0, "outcomes: \(outcomes)")
        }
    }

    /// A refused payload names what is wrong and where, and never reaches the plugin.
    @Test func aRefusedPayloadSaysWhereItBrokeAndIsNotDelivered() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "a.so", defines: defines("a", requiring: "a"))
            let call = try test.host.invoker.guardedCall(.slot(slot), method: "echo")
            let before = calls(of: "a", test.host)

            await #expect {
                _ = try await call.run(payload: Array(#"{"b":1}"#.utf8)) { _, _ in () }
            } throws: { error in
                guard let error = error as? InvocationError, case .violations(let violations) = error.payloadProblem else { return false }
                return error.code == .invalidArgument && violations.first?.expected.contains("a") == true
                    && error.message == "the payload does not match the input schema of adapter:bench:a echo: \(violations.map(\.description).joined(separator: "; "))"
            }
            await #expect {
                _ = try await call.run(payload: Array(#"{"a":"#.utf8)) { _, _ in () }
            } throws: { error in
                guard let error = error as? InvocationError, case .invalidJSON(let parse) = error.payloadProblem else { return false }
                return error.code == .invalidArgument && parse.line == 1 && error.message.hasPrefix("the payload for adapter:bench:a echo is not JSON: ")
            }
            #expect(calls(of: "a", test.host) == before, "no refused payload reached the plugin")

            let unchecked = try test.host.invoker.guardedCall(.slot(slot), method: "echo", checksInput: false)
            let echoed = try await unchecked.run(payload: Array(#"{"b":1}"#.utf8)) { bytes, _ in String(decoding: bytes, as: UTF8.self) }
            #expect(echoed == #"{"b":1}"#, "a caller inside the host may skip the check")
        }
    }
}

/// What the calling tasks share: when to stop, and how each call ended.
private final class SharedTally: Sendable {
    let stop = Atomic<Bool>(false)
    let tally = Mutex<[String: Int]>([:])
}
