import PluginKit

/// The methods every diagram capability offers, with their payload schemas (JSON Schema
/// 2020-12, also what MCP clients see as tool input schemas).
enum DiagramMethods {
    static let all: [CapabilityMethod] = [
        CapabilityMethod(
            name: "render",
            description: "Draws a node/edge graph: nodes (id, label, kind, group, tone), edges (from, to, label, style), groups, direction TD or LR",
            inputSchema: #"""
                {"type":"object","required":["graph"],"properties":{"title":{"type":"string"},"graph":{"type":"object","required":["nodes"],"properties":{"direction":{"enum":["TD","LR"]},"nodes":{"type":"array","items":{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"label":{"type":"string"},"kind":{"enum":["box","round","stadium","database","circle","decision"]},"group":{"type":"string"},"tone":{"enum":["neutral","accent","success","warning","danger","muted"]}}}},"edges":{"type":"array","items":{"type":"object","required":["from","to"],"properties":{"from":{"type":"string"},"to":{"type":"string"},"label":{"type":"string"},"style":{"enum":["solid","dotted","thick"]}}}},"groups":{"type":"array","items":{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"label":{"type":"string"}}}}}}}}
                """#),
        CapabilityMethod(
            name: "render_workflow",
            description: "Draws a seed-001 workflow (JSON in \"workflow\" or YAML text in \"yaml\"): requirements, steps, step order and the ${steps…}/${input…} data flow; with \"run\" (a recorded run), each step's outcome",
            inputSchema: #"""
                {"type":"object","properties":{"workflow":{"type":"object"},"yaml":{"type":"string"},"title":{"type":"string"},"direction":{"enum":["TD","LR"]},"name":{"type":"string"},"run":{"type":"object","required":["steps"],"properties":{"steps":{"type":"array","items":{"type":"object","required":["name","outcome"],"properties":{"name":{"type":"string"},"outcome":{"enum":["succeeded","failed","skipped","not_run"]},"provider":{"type":["string","null"]},"durationMilliseconds":{"type":"number"},"error":{"type":["string","null"]}}}}}}},"oneOf":[{"required":["workflow"]},{"required":["yaml"]}]}
                """#),
        CapabilityMethod(
            name: "render_capabilities",
            description: "Draws the host's live capability slots: candidates, scores, breakers and the active binding",
            inputSchema: #"""
                {"type":"object","properties":{"domain":{"type":"string"},"category":{"type":"string"},"title":{"type":"string"},"direction":{"enum":["TD","LR"]}}}
                """#),
    ]
}
