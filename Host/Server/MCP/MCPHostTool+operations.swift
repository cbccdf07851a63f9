import CapHostCore
import CapHostWorkflows

/// The `caphost_*` tools: the HTTP admin API's operations, with the same
/// response shapes (`{"plugins": [...]}`, `SlotExplanation`, `SwapOutcome` …).
extension MCPHostTool {
    /// Runs the tool; `arguments` already passed its input schema.
    func run(on host: CapabilityHost, arguments: [String: JSONValue], workflowRuns: (any WorkflowRunJournal)?,
             durableSteps: (any DurableStepCalls)?) async -> MCPToolResult {
        switch self {
        case .listPlugins:
            return Self.encoded(["plugins": host.plugins()])
        case .listCapabilities:
            return Self.encoded(["capabilities": host.capabilities()])
        case .explain:
            return Self.withSlot(arguments) { slot in
                guard let explanation = host.explain(slot) else { return Self.unknownSlot(slot, host: host) }
                return Self.encoded(explanation)
            }
        case .resolve:
            return Self.withSlot(arguments) { slot in
                let explanation = host.explain(slot)
                return .success(["slot": .string(slot.description),
                                 "provider": explanation?.active.map { .string($0) } ?? .null,
                                 "decidedBy": .string(explanation?.decidedBy ?? "no capability registered for slot \(slot)")])
            }
        case .swap:
            return await Self.withSlot(arguments) { slot async in
                let target: CapabilityID
                switch Self.provider(arguments["provider"]?.stringValue ?? "", in: slot) {
                case .success(let id): target = id
                case .failure(let refusal): return refusal.result
                }
                do throws(LifecycleError) {
                    let outcome = try await host.swap(to: target, reason: arguments["reason"]?.stringValue ?? "operator swap (MCP)")
                    return Self.encoded(outcome)
                } catch {
                    return .failure(error)
                }
            }
        case .pin:
            return await Self.withSlot(arguments) { slot async in
                let target: CapabilityID
                switch Self.provider(arguments["provider"]?.stringValue ?? "", in: slot) {
                case .success(let id): target = id
                case .failure(let refusal): return refusal.result
                }
                await host.pin(slot, to: target.provider)
                guard let explanation = host.explain(slot) else { return Self.unknownSlot(slot, host: host) }
                return Self.encoded(explanation)
            }
        case .unpin:
            return await Self.withSlot(arguments) { slot async in
                do throws(LifecycleError) {
                    try await host.unpin(slot)
                } catch {
                    return .failure(error)
                }
                guard let explanation = host.explain(slot) else { return Self.unknownSlot(slot, host: host) }
                return Self.encoded(explanation)
            }
        case .drain:
            guard let id = CapabilityID(parsing: arguments["id"]?.stringValue ?? "") else {
                return Self.badProviderID(arguments["id"])
            }
            do {
                let inFlight = try await host.drain(id, reason: arguments["reason"]?.stringValue ?? "operator drain (MCP)")
                return .success(["provider": .string(id.description), "inFlightAtStart": .number(JSONNumber(inFlight))])
            } catch {
                return .failure(error)
            }
        case .resume:
            guard let id = CapabilityID(parsing: arguments["id"]?.stringValue ?? "") else {
                return Self.badProviderID(arguments["id"])
            }
            do {
                try await host.resume(id)
                return .success(["provider": .string(id.description)])
            } catch {
                return .failure(error)
            }
        case .listAdapters, .resolveAdapter, .checkHealth, .getAdapter:
            return await runOneiric(on: host, arguments: arguments)
        case .runWorkflow:
            return await Self.runWorkflow(on: host, arguments: arguments, journal: workflowRuns, durable: durableSteps)
        }
    }

    // MARK: - Arguments

    private static func withSlot(_ arguments: [String: JSONValue], _ body: (SlotKey) async -> MCPToolResult) async -> MCPToolResult {
        let text = arguments["slot"]?.stringValue ?? ""
        guard let slot = SlotKey(parsing: text) else {
            return .failure(code: "invalid_argument", message: "slot '\(text)' is not domain:category (e.g. adapter:notifier)")
        }
        return await body(slot)
    }

    private static func withSlot(_ arguments: [String: JSONValue], _ body: (SlotKey) -> MCPToolResult) -> MCPToolResult {
        let text = arguments["slot"]?.stringValue ?? ""
        guard let slot = SlotKey(parsing: text) else {
            return .failure(code: "invalid_argument", message: "slot '\(text)' is not domain:category (e.g. adapter:notifier)")
        }
        return body(slot)
    }

    /// A provider named by its name (`mailgun`) or canonical id (which must be in `slot`).
    private static func provider(_ text: String, in slot: SlotKey) -> Result<CapabilityID, ArgumentRefusal> {
        if let id = CapabilityID(parsing: text) {
            guard id.slot == slot else {
                return .failure(ArgumentRefusal(result: .failure(code: "invalid_argument", message: "provider \(id) is not in slot \(slot)")))
            }
            return .success(id)
        }
        guard !text.isEmpty, !text.contains(":"), !text.contains("/") else {
            return .failure(ArgumentRefusal(result: .failure(code: "invalid_argument",
                message: "provider '\(text)' is neither a provider name (mailgun) nor a canonical id (\(slot):mailgun)")))
        }
        return .success(CapabilityID(slot: slot, provider: text))
    }

    /// An argument that cannot be used, with the tool result that says why.
    struct ArgumentRefusal: Error {
        let result: MCPToolResult
    }

    private static func badProviderID(_ value: JSONValue?) -> MCPToolResult {
        .failure(code: "invalid_argument",
                 message: "id '\(value?.stringValue ?? "")' is not a canonical provider id domain:category:provider (e.g. adapter:notifier:mailgun)")
    }

    static func unknownSlot(_ slot: SlotKey, host: CapabilityHost) -> MCPToolResult {
        let known = host.capabilities().map(\.slot.description)
        return .failure(code: "unknown_slot", message: "no capability registered for slot \(slot)",
                        extra: ["knownSlots": .array(known.map { .string($0) })])
    }

    /// Encodes a Core value the way the HTTP API does.
    static func encoded(_ value: some Encodable) -> MCPToolResult {
        do {
            return .success(try JSONValue(encoding: value))
        } catch {
            return .failure(code: "internal", message: "could not encode the answer: \(error)")
        }
    }
}
