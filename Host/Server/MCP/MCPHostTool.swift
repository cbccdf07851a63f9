import CapHostCore

/// The tools the host itself offers beside the generated ones: operating the
/// host (`caphost_*`) and the seed's Oneiric registry tools (`oneiric_*`),
/// answered from the host's own registry — the local fallback registry of
/// seed 001's "Fallback Strategy".
enum MCPHostTool: String, CaseIterable, Sendable {
    case listPlugins = "caphost_list_plugins"
    case listCapabilities = "caphost_list_capabilities"
    case explain = "caphost_explain"
    case resolve = "caphost_resolve"
    case swap = "caphost_swap"
    case pin = "caphost_pin"
    case unpin = "caphost_unpin"
    case drain = "caphost_drain"
    case resume = "caphost_resume"
    case runWorkflow = "caphost_run_workflow"
    case listAdapters = "oneiric_list_adapters"
    case resolveAdapter = "oneiric_resolve_adapter"
    case checkHealth = "oneiric_check_health"
    case getAdapter = "oneiric_get_adapter"

    var title: String {
        switch self {
        case .listPlugins: "List plugins"
        case .listCapabilities: "List capabilities"
        case .explain: "Explain a slot's resolution"
        case .resolve: "Resolve a slot"
        case .swap: "Swap a slot's provider"
        case .pin: "Pin a slot to a provider"
        case .unpin: "Unpin a slot"
        case .drain: "Drain a provider"
        case .resume: "Resume a drained provider"
        case .runWorkflow: "Run a workflow"
        case .listAdapters: "List adapters (Oneiric)"
        case .resolveAdapter: "Resolve an adapter (Oneiric)"
        case .checkHealth: "Check an adapter's health (Oneiric)"
        case .getAdapter: "Get an adapter (Oneiric)"
        }
    }

    var description: String {
        switch self {
        case .listPlugins:
            "Every plugin file the host knows: loaded (with its descriptor and capabilities), failed or quarantined (with the check that refused it and why), removed or superseded."
        case .listCapabilities:
            "Every slot (domain:category) with its active provider, the rule that decided, and every candidate's priority, stack level, score, breaker state and status."
        case .explain:
            "Why a slot resolves the way it does: every candidate with its ranking keys, score parts and breaker state, and the rule that decided its place."
        case .resolve:
            "The provider a call to the slot would reach now (domain:category:provider, or null when none can serve) and the rule that decided."
        case .swap:
            "Make a provider the slot's active one: health-checked first, switched atomically, in-flight calls finish on the previous provider. The choice stays until caphost_unpin."
        case .pin:
            "Pin a slot to a provider (which need not be loaded yet). If the pinned provider is not eligible, explain says so and the usual rules decide meanwhile."
        case .unpin:
            "Remove a slot's pin or operator swap: the usual rules (priority, stack level, score) decide again."
        case .drain:
            "Stop new calls to a provider (domain:category:provider); answers once its in-flight calls have finished, with how many there were."
        case .resume:
            "Let a drained provider serve again."
        case .runWorkflow:
            "Run a YAML workflow (seed 001's format: adapter_requirements, steps with tool, params and ${input…}/${steps…} references) on this host. Inputs, requirements and tools are checked before the first step; the answer is the run's report (each step's provider, duration, outcome and output), recorded for caphost runs. dry_run checks without running."
        case .listAdapters:
            "List the adapters (capability providers) this host serves, Oneiric-style: {success, adapters, count}. Filters: project, domain, category (empty or absent = all), healthy_only."
        case .resolveAdapter:
            "Resolve the best adapter for domain + category (the slot's active provider), or a named provider. Answers {success, adapter} or an error with suggestions."
        case .checkHealth:
            "Run the adapter's health check now (adapter_id = domain:category:provider) and answer {success, adapter_id, healthy, health_status, message}."
        case .getAdapter:
            "Get one adapter by adapter_id (domain:category:provider) — or by domain, key/category and provider as Oneiric's own server takes them. Answers {success, adapter} or an error with suggestions."
        }
    }

    /// The input schema (JSON Schema, an object at the root).
    var inputSchema: JSONValue {
        let slot: JSONValue = ["type": "string", "minLength": 3,
                               "description": "The slot as domain:category (or domain/category), e.g. adapter:notifier."]
        let providerID: JSONValue = ["type": "string", "minLength": 5,
                                     "description": "A provider's canonical id domain:category:provider, e.g. adapter:notifier:mailgun."]
        let reason: JSONValue = ["type": "string", "description": "Why (recorded in the event log)."]
        let text: JSONValue = ["type": "string"]
        switch self {
        case .listPlugins, .listCapabilities:
            return Self.object([:], required: [])
        case .explain, .resolve, .unpin:
            return Self.object(["slot": slot], required: ["slot"])
        case .swap:
            return Self.object(["slot": slot, "reason": reason,
                                "provider": ["type": "string", "minLength": 1,
                                             "description": "The provider name (mailgun) or its canonical id (adapter:notifier:mailgun)."]],
                               required: ["slot", "provider"])
        case .pin:
            return Self.object(["slot": slot,
                                "provider": ["type": "string", "minLength": 1,
                                             "description": "The provider name (mailgun) or its canonical id; it need not be loaded yet."]],
                               required: ["slot", "provider"])
        case .drain:
            return Self.object(["id": providerID, "reason": reason], required: ["id"])
        case .resume:
            return Self.object(["id": providerID], required: ["id"])
        case .runWorkflow:
            return Self.object(["document": ["type": "string", "minLength": 1, "description": "The workflow file's YAML text."],
                                "file": ["type": "string", "description": "A name for the file in messages (default workflow.yaml)."],
                                "workflow": ["type": "string", "description": "Which workflow of a workflows: list."],
                                "inputs": ["type": "object", "description": "Values for ${input.NAME} references."],
                                "dry_run": ["type": "boolean", "default": false]],
                               required: ["document"])
        case .listAdapters:
            return Self.object(["project": text, "domain": text, "category": text,
                                "healthy_only": ["type": "boolean", "default": false]], required: [])
        case .resolveAdapter:
            return Self.object(["domain": text, "category": text, "provider": text], required: ["domain", "category"])
        case .checkHealth:
            return Self.object(["adapter_id": providerID], required: ["adapter_id"])
        case .getAdapter:
            var schema = Self.object(["adapter_id": providerID, "domain": text, "key": text, "category": text, "provider": text],
                                     required: [])
            if case .object(var members) = schema {
                members["anyOf"] = [["required": ["adapter_id"]], ["required": ["domain", "key", "provider"]],
                                    ["required": ["domain", "category", "provider"]]]
                schema = .object(members)
            }
            return schema
        }
    }

    private static func object(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) }),
         "additionalProperties": false]
    }
}
