import PluginKit

/// The methods of `adapter:memory:session-buddy` — the memory contract `adapter:memory:local`
/// serves too — with their input schemas (the host checks payloads against them; the plugin
/// checks again, in ``MemoryInput``, for callers that bypass the host's validation).
enum SessionBuddyMethods {
    static let tags = #"{"type": "array", "maxItems": 32, "items": {"type": "string", "minLength": 1, "maxLength": 128}}"#
    static let project = #"{"type": "string", "pattern": "^[a-zA-Z0-9._-]{1,128}$"}"#

    static let all: [CapabilityMethod] = [
        CapabilityMethod(
            name: "store",
            description: "Stores a reflection in session-buddy; returns its id",
            inputSchema: #"""
            {"type": "object", "additionalProperties": false, "required": ["content"], "properties": {
              "content": {"type": "string", "minLength": 1},
              "tags": \#(tags),
              "project": \#(project)}}
            """#),
        CapabilityMethod(
            name: "search",
            description: "Searches session-buddy's reflections; every tag given must be on a result",
            inputSchema: #"""
            {"type": "object", "additionalProperties": false, "required": ["query"], "properties": {
              "query": {"type": "string", "minLength": 1, "maxLength": 4096},
              "project": \#(project),
              "tags": \#(tags),
              "limit": {"type": "integer", "minimum": 1, "maximum": 100}}}
            """#),
        CapabilityMethod(
            name: "stats",
            description: "Counts session-buddy's reflections (total, projects, date range, health of its database)",
            inputSchema: #"{"type": "object", "additionalProperties": false, "properties": {"project": \#(project)}}"#),
    ]
}
