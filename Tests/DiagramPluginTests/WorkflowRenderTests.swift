import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `render_workflow`: seed-001 workflows (YAML and JSON) drawn with their data flow.
@Suite(.serialized) struct WorkflowRenderTests {
    /// The seed's second example as JSON.
    static var prefectWorkflow: [String: Any] { [
        "name": "execute-with-prefect",
        "description": "Execute workflow using Prefect orchestration",
        "adapter_requirements": [["domain": "adapter", "category": "orchestration", "provider": "prefect"]],
        "steps": [
            ["name": "resolve-prefect", "tool": "oneiric_resolve_adapter",
             "params": ["domain": "adapter", "category": "orchestration", "provider": "prefect"]],
            ["name": "verify-health", "tool": "oneiric_check_health",
             "params": ["adapter_id": "${steps.resolve-prefect.adapter_id}"]],
            ["name": "execute-flow", "tool": "adapter:orchestration:run",
             "params": ["adapter": "${steps.resolve-prefect}", "flow_def": "${input.flow}",
                        "options": ["retries": 2, "tags": ["${input.tag}", "fixed"]]]],
        ],
    ] }

    /// A recorded run (`GET /v1/runs/{id}`'s steps) tones each step by its outcome and adds
    /// its provider and duration, or its error.
    @Test func aRecordedRunTonesEachStepByItsOutcome() async throws {
        try await DiagramHost.with { host in
            let run: [String: Any] = ["steps": [
                ["name": "resolve-prefect", "outcome": "succeeded", "provider": "host", "durationMilliseconds": 1.54],
                ["name": "verify-health", "outcome": "failed", "provider": NSNull(), "error": "not_found: no adapter adapter:orchestration:prefect"],
                ["name": "execute-flow", "outcome": "not_run"],
            ]]
            let drawn = try await host.render("mermaid", "render_workflow", payload: ["workflow": Self.prefectWorkflow, "run": run])
            let text = drawn.content
            #expect(text.contains("resolve-prefect<br/>oneiric_resolve_adapter<br/>✓ host · 1.5 ms"), "\(text)")
            #expect(text.contains("verify-health<br/>oneiric_check_health<br/>✗ not_found: no adapter adapter:orchestration:prefect"), "\(text)")
            #expect(text.contains("execute-flow<br/>adapter:orchestration:run<br/>· not run"), "\(text)")
            let classes = text.split(separator: "\n").filter { $0.contains("    class ") }
            #expect(classes.contains { $0.hasSuffix(" danger") } && classes.contains { $0.hasSuffix(" muted") }, "\(classes)")
            try await MermaidParser.expectParses([("run", text)])
            let refused = try await host.failure("mermaid", "render_workflow",
                                                 payload: ["workflow": Self.prefectWorkflow, "run": ["steps": [["name": "x", "outcome": "great"]]]])
            #expect(refused.message.contains("outcome"), "\(refused.message)")
        }
    }

    @Test func yamlWorkflowDrawsRequirementsStepsAndDataFlow() async throws {
        try await DiagramHost.with { host in
            let response = try await host.render("mermaid", "render_workflow", payload: ["yaml": GraphSamples.backupWorkflowYAML])
            // 2 requirements + input + 5 steps.
            #expect(response.nodes == 8)
            let text = response.content
            #expect(text.contains("title: \"workflow: backup-with-dynamic-storage\""))
            #expect(text.contains("subgraph g0 [\"adapter requirements\"]"))
            #expect(text.contains("adapter:storage<br/>provider s3"))
            #expect(text.contains("adapter:notifier<br/>any provider"))
            #expect(text.contains("verify-health<br/>oneiric_check_health<br/>timeout 10"))
            #expect(text.contains("backup-repos<br/>coord_backup_repositories<br/>durable"))
            // Data flow labelled with the referenced field (filters kept, entity-coded).
            #expect(text.contains("-->|\"results#91;?provider=='s3'#93;.adapter_id\"|"), "\(text)")
            #expect(text.contains("-->|\"adapter_id\"|"))
            #expect(text.contains("-->|\"result\"|"))
            #expect(text.contains("-->|\"repos\"|") && text.contains("-->|\"owner\"|"))
            // Several references between one pair are one edge with every field.
            #expect(text.contains("-->|\"count\"|"))
            // The capability tool resolves its requirement.
            #expect(text.contains("-.->|\"resolves\"|"))

            let json = try await host.render("mermaid", "render_workflow",
                                             payload: ["workflow": Self.prefectWorkflow, "direction": "LR", "title": "Prefect run"])
            #expect(json.content.contains("flowchart LR"))
            // Two inputs into one step: one edge naming both.
            #expect(json.content.contains("-->|\"flow<br/>tag\"|"), "\(json.content)")
            let listed = try await host.render("mermaid", "render_workflow",
                                               payload: ["workflow": ["workflows": [Self.prefectWorkflow]]])
            #expect(listed.nodes == json.nodes)
            try await MermaidParser.expectParses([("backup", text), ("prefect", json.content), ("listed", listed.content)])

            for format in ["excalidraw", "svg"] {
                let drawn = try await host.render(format, "render_workflow", payload: ["yaml": GraphSamples.backupWorkflowYAML])
                #expect(drawn.nodes == 8 && drawn.edges == response.edges)
            }
        }
    }

    /// A step's tool in any of the forms a run accepts for a capability resolves its requirement;
    /// a host tool and a bare method name do not.
    @Test func everyFormOfACapabilityToolResolvesItsRequirement() async throws {
        try await DiagramHost.with { host in
            let yaml = """
            name: forms
            adapter_requirements:
              - {domain: adapter, category: storage}
            steps:
              - {name: slot, tool: "adapter:storage/put"}
              - {name: provider, tool: "adapter:storage:s3/put"}
              - {name: mcp, tool: "adapter__storage__put"}
              - {name: host, tool: oneiric_list_adapters}
              - {name: bare, tool: put}
            """
            let drawn = try await host.render("mermaid", "render_workflow", payload: ["yaml": yaml])
            #expect(drawn.content.components(separatedBy: "-.->|\"resolves\"|").count - 1 == 3, "\(drawn.content)")
        }
    }

    @Test func badWorkflowsNameTheLineColumnOrPath() async throws {
        try await DiagramHost.with { host in
            let cases: [(payload: [String: Any], message: String)] = [
                (["yaml": "name: x\nsteps:\n  - name: a\n    tool: [unclosed\n"], "yaml: line "),
                (["yaml": "name: x\nsteps:\n  - name: a\n    tool: t\n  - name: a\n    tool: t\n"],
                 #"yaml.steps[1].name: expected a step name not used before, found "a", already the name of yaml.steps[0] (line 5, column 11)"#),
                (["yaml": "name: x\nsteps:\n  - name: a\n"],
                 "yaml.steps[0].tool: expected the tool the step calls (string), found nothing (the field is missing) (in the mapping at line 3, column 5)"),
                (["yaml": "name: x\nsteps:\n  - name: a\n    tool: t\n    params:\n      id: \"${steps.later.id}\"\n  - name: later\n    tool: t\n"],
                 #"yaml.steps[0].params.id: expected a reference to a step before "a", found ${steps.later…}, a later step (line 6, column 11)"#),
                (["yaml": "name: x\nsteps:\n  - name: a\n    tool: t\n    params:\n      id: \"${steps.nope.id}\"\n"],
                 "yaml.steps[0].params.id: expected ${steps.NAME…} naming a step of this workflow"),
                (["workflow": ["name": "x", "steps": []]], "workflow.steps: expected at least one step, found an empty array"),
                (["workflow": ["name": "x", "steps": [["name": "a", "tool": "t", "params": ["p": "${input.x"]]]]],
                 #"workflow.steps[0].params.p: expected every "${" closed by "}""#),
                (["workflow": ["steps": []], "yaml": "name: y"], "expected either \"workflow\" (JSON) or \"yaml\" (text), found both"),
                ([:], "expected \"workflow\" (the workflow as JSON) or \"yaml\" (its YAML text), found neither"),
                (["workflow": ["workflows": [["name": "a"], ["name": "b"]]]],
                 #"workflow.workflows: expected one workflow, or a "name" in the payload choosing one, found workflows "a", "b""#),
            ]
            for (payload, message) in cases {
                let error = try await host.failure("mermaid", "render_workflow", payload: payload)
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }
}
