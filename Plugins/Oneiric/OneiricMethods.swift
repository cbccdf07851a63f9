import PluginKit

/// The methods of `adapter:registry:oneiric`, with their input schemas (the host validates
/// payloads against them and turns them into HTTP routes and MCP tools).
enum OneiricMethods {
    static let adapterID = #"{"type": "string", "pattern": "^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$", "description": "domain:category:provider, e.g. adapter:notifier:mailgun"}"#

    static let all: [CapabilityMethod] = [
        CapabilityMethod(
            name: "list_adapters",
            description: "Lists the adapters the Oneiric registry knows, filtered; says where the answer came from (remote, cache, stale, local)",
            inputSchema: #"""
            {"type": "object", "additionalProperties": false, "properties": {
              "project": {"type": "string", "maxLength": 256},
              "domain": {"type": "string", "maxLength": 64},
              "category": {"type": "string", "maxLength": 64},
              "healthy_only": {"type": "boolean"}}}
            """#),
        CapabilityMethod(
            name: "get_adapter",
            description: "One adapter record by its id (NOT_FOUND naming it when the registry has none)",
            inputSchema: #"{"type": "object", "additionalProperties": false, "required": ["adapter_id"], "properties": {"adapter_id": \#(adapterID)}}"#),
        CapabilityMethod(
            name: "check_health",
            description: "Asks the registry for an adapter's health now",
            inputSchema: #"{"type": "object", "additionalProperties": false, "required": ["adapter_id"], "properties": {"adapter_id": \#(adapterID)}}"#),
        CapabilityMethod(
            name: "resolve_adapter",
            description: "The adapter to use for a domain and category (a pinned provider, or the best by health and freshness), with the reason",
            inputSchema: #"""
            {"type": "object", "additionalProperties": false, "required": ["domain", "category"], "properties": {
              "domain": {"type": "string", "minLength": 1, "maxLength": 64},
              "category": {"type": "string", "minLength": 1, "maxLength": 64},
              "provider": {"type": "string", "minLength": 1, "maxLength": 64}}}
            """#),
        CapabilityMethod(
            name: "heartbeat",
            description: "Tells the registry the adapter is still in use; answers whether it is still registered",
            inputSchema: #"{"type": "object", "additionalProperties": false, "required": ["adapter_id"], "properties": {"adapter_id": \#(adapterID)}}"#),
    ]
}
