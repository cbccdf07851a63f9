import CapHostConfig
import CapHostCore
@testable import CapHostWorkflows
import Foundation
import Testing

/// The file format as seed 001 writes it, and the checks that run before anything does.
@Suite struct WorkflowFileParserTests {
    /// Seed 001's "Workflow Definition Schema", verbatim.
    static let seedSchema = """
    workflows:
      - name: "multi-repo-test"
        adapter_requirements:
          - domain: "adapter"
            category: "storage"
            provider: "s3"
          - domain: "adapter"
            category: "orchestration"
            provider: "prefect"
        steps:
          - name: "query_adapters"
            tool: "oneiric_list_adapters"
            params:
              category: "storage"
              healthy_only: true
          - name: "validate_health"
            tool: "oneiric_check_health"
            params:
              adapter_id: "${steps.query_adapters.results[0].adapter_id}"
    """

    @Test func theSeedsSchemaReadsAsWritten() throws {
        let workflows = try WorkflowFileParser.parse(yaml: Self.seedSchema, file: "schema.yaml")
        #expect(workflows.count == 1)
        let workflow = try #require(workflows.first)
        #expect(workflow.name == "multi-repo-test")
        #expect(workflow.requirements.map(\.description) == ["adapter:storage:s3", "adapter:orchestration:prefect"])
        #expect(workflow.steps.map(\.name) == ["query_adapters", "validate_health"])
        #expect(workflow.steps[0].tool == .registry(.listAdapters))
        #expect(workflow.steps[0].params == .object(["category": .value("storage"), "healthy_only": .value(true)]))
        guard case .object(let params) = workflow.steps[1].params, case .reference(let reference)? = params["adapter_id"] else {
            Issue.record("adapter_id is not one reference: \(workflow.steps[1].params)")
            return
        }
        #expect(reference.description == "steps.query_adapters.results[0].adapter_id")
        #expect(reference.line == 19 && reference.column == 24, "at \(reference.line):\(reference.column)")
    }

    @Test func toolsNameCapabilitiesProvidersMCPToolsHostToolsAndMethods() throws {
        let yaml = """
        name: tools
        steps:
          - {name: a, tool: "adapter:notifier/send"}
          - {name: b, tool: "adapter:notifier:outbox/send"}
          - {name: c, tool: adapter__notifier__send}
          - {name: d, tool: oneiric_get_adapter}
          - {name: e, tool: coord_backup_repositories}
        """
        let steps = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "tools.yaml").first).steps
        let slot = SlotKey(domain: "adapter", category: "notifier")
        #expect(steps.map(\.tool) == [.capability(.slot(slot), method: "send"),
                                      .capability(.provider(CapabilityID(slot: slot, provider: "outbox")), method: "send"),
                                      .capability(.slot(slot), method: "send"), .registry(.getAdapter), .method("coord_backup_repositories")])
    }

    @Test func referencesTextAndFiltersBecomeTemplates() throws {
        let yaml = """
        name: refs
        steps:
          - name: first
            tool: oneiric_list_adapters
          - name: second
            tool: oneiric_get_adapter
            when: ${steps.first.count}
            on_error: {retry: 2}
            timeout: 1500ms
            params:
              adapter_id: "${steps.first.results[?provider=='s3'].adapter_id}"
              note: "found ${steps.first.count} for ${input.who}, costs $${2}"
              list: ["${input.who}", 3, null]
        """
        let step = try #require(try WorkflowFileParser.parse(yaml: yaml, file: "refs.yaml").first).steps[1]
        #expect(step.when?.description == "steps.first.count")
        #expect(step.onError == .retry(2))
        #expect(step.timeout == .milliseconds(1500))
        guard case .object(let params) = step.params else { Issue.record("params: \(step.params)"); return }
        guard case .reference(let filtered)? = params["adapter_id"] else { Issue.record("adapter_id: \(String(describing: params["adapter_id"]))"); return }
        #expect(filtered.path == [.field("results"), .filter(field: "provider", value: "s3"), .field("adapter_id")])
        let scope = ReferenceScope(inputs: ["who": "ops"], outputs: ["first": ["count": 2, "results": [["provider": "gcs", "adapter_id": "a:s:gcs"],
                                                                                                      ["provider": "s3", "adapter_id": "a:s:s3"]]]])
        #expect(try step.params.render(in: scope) == ["adapter_id": "a:s:s3", "note": "found 2 for ops, costs ${2}", "list": ["ops", 3, nil]])
    }

    @Test(arguments: [
        ("name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: \"${steps.b.y}\"}}\n  - {name: b, tool: oneiric_list_adapters}\n",
         "w.yaml:3:57: steps[0]: ${steps.b.y}: step 'b' is used before it runs (it is step 2, this is step 1)"),
        ("name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: \"${steps.a}\"}}\n",
         "w.yaml:3:57: steps[0]: ${steps.a}: step 'a' reads its own output (a cycle)"),
        ("name: w\nsteps:\n  - {name: alpha, tool: oneiric_list_adapters}\n  - {name: b, tool: oneiric_list_adapters, params: {x: \"${steps.alpah.y}\"}}\n",
         "w.yaml:4:57: steps[1]: ${steps.alpah.y}: workflow 'w' has no step 'alpah'; did you mean 'alpha'?"),
        ("name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters}\n  - {name: a, tool: oneiric_list_adapters}\n",
         "w.yaml:4:5: steps[1]: a second step named 'a' in workflow 'w' (the first is step 1, line 3): step names must be unique"),
        ("name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: \"${steps.b[?p=='x'}\"}}\n",
         "w.yaml:3:74: steps[0].params.x: ${steps.b[?p=='x'}: expected ']' to close the filter, found the end"),
        ("name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: \"${env.HOME}\"}}\n",
         "w.yaml:3:59: steps[0].params.x: ${env.HOME}: a reference starts with input. or steps., found 'env'"),
        ("name: w\nsteps:\n  - {name: a, tool: \"no/such/tool\"}\n",
         "w.yaml:3:21: steps[0].tool: expected a tool: DOMAIN:CATEGORY/METHOD"),
        ("name: w\nsteps:\n  - {name: a, tool: x, on_error: sometimes}\n",
         "w.yaml:3:34: steps[0].on_error: expected fail, continue or retry: N (1…100), found \"sometimes\""),
        ("name: w\nsteps:\n  - {name: a, tool: x, retries: 3}\n",
         "w.yaml:3:24: steps[0].retries: unknown key \"retries\""),
        ("name: w\nsteps: []\n", "w.yaml:2:8: steps: expected a non-empty list of steps, found a list"),
    ])
    func aBadFileSaysWhereAndWhat(yaml: String, expected: String) {
        #expect(throws: ConfigFileError.self) { try WorkflowFileParser.parse(yaml: yaml, file: "w.yaml") }
        do {
            _ = try WorkflowFileParser.parse(yaml: yaml, file: "w.yaml")
        } catch {
            #expect(error.problems.contains { $0.description.hasPrefix(expected) }, "\(error.description)")
        }
    }

    @Test func aYAMLBombIsRefusedWithoutBeingExpanded() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        yaml += "name: bomb\nsteps:\n  - {name: s, tool: oneiric_list_adapters, params: {x: *a9}}\n"
        let started = ContinuousClock.now
        do {
            _ = try WorkflowFileParser.parse(yaml: yaml, file: "bomb.yaml")
            Issue.record("a billion values were accepted")
        } catch {
            #expect(error.description.contains("more than 500000 values once its aliases are expanded"), "\(error.description)")
        }
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func tenThousandStepsReadAndOneMoreIsRefused() throws {
        func file(_ count: Int) -> String {
            var yaml = "name: long\nsteps:\n  - {name: s0, tool: oneiric_list_adapters}\n"
            for index in 1..<count { yaml += "  - {name: s\(index), tool: oneiric_check_health, params: {adapter_id: \"${steps.s\(index - 1).count}\"}}\n" }
            return yaml
        }
        #expect(try WorkflowFileParser.parse(yaml: file(10_000), file: "long.yaml").first?.steps.count == 10_000)
        #expect(throws: ConfigFileError.self) { try WorkflowFileParser.parse(yaml: file(10_001), file: "long.yaml") }
    }

    @Test func deepReferencesAndDeepNestingAreBounded() throws {
        let deep = "${steps.a" + String(repeating: ".x", count: 100) + "}"
        let yaml = "name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters}\n  - {name: b, tool: oneiric_list_adapters, params: {x: \"\(deep)\"}}\n"
        do {
            _ = try WorkflowFileParser.parse(yaml: yaml, file: "deep.yaml")
            Issue.record("a 100-step reference was accepted")
        } catch {
            #expect(error.description.contains("at most 64 steps deep"), "\(error.description)")
        }
        let nested = "name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}}\n"
        do {
            _ = try WorkflowFileParser.parse(yaml: nested, file: "nested.yaml")
            Issue.record("300 levels of nesting were accepted")
        } catch {
            #expect(error.description.contains("nest more than 256 levels"), "\(error.description)")
        }
    }

    @Test func invalidUTF8IsRefusedAtItsPosition() {
        var bytes = Array("name: w\nsteps:\n  - {name: a, tool: oneiric_list_adapters, params: {x: \"".utf8)
        bytes += [0xC3, 0x28] + Array("\"}}\n".utf8)
        do {
            _ = try WorkflowFileParser.parse(data: Data(bytes), file: "bad.yaml")
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.description == "bad.yaml:3:57: not UTF-8 text: byte 0xC3 at offset 71 starts no valid character", "\(error.description)")
        }
    }
}
