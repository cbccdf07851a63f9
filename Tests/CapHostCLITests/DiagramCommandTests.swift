import CapHostCore
import CapHostTestSupport
import Foundation
import Testing

/// `caphost diagram` against a real `caphost serve` that loaded the built diagram plugin: the
/// capability graph drawn is the running host's own.
@Suite(.serialized) struct DiagramCommandTests {
    static let workflow = """
        name: storage_check
        description: Find a healthy storage adapter and check it
        adapter_requirements:
          - domain: adapter
            category: bench
        steps:
          - name: query_adapters
            tool: oneiric_list_adapters
            params:
              category: bench
              healthy_only: true
          - name: validate_health
            tool: oneiric_check_health
            params:
              adapter_id: "${steps.query_adapters.results[0].adapter_id}"
        """

    @Test func drawsTheLiveCapabilityGraphAWorkflowAndRefusesBadUsage() async throws {
        let host = try await ClientCommandTests.ServedHost(
            extraPlugins: ["libdiagram.so": try FixturePlugins.builtPlugin("DiagramPlugin")])
        let mermaid = try await host.run(["diagram", "capabilities"])
        #expect(mermaid.status == 0, "\(mermaid.stderr)")
        #expect(mermaid.stdout.contains("\nflowchart "), "\(mermaid.stdout)")
        #expect(mermaid.stdout.contains("alpha") && mermaid.stdout.contains("beta") && mermaid.stdout.contains("adapter:bench"))
        // The real Mermaid parser reads what the command printed.
        let file = host.root + "/capabilities.mmd"
        try mermaid.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let venvPython = try await PeerVenv.shared.pythonPath()
        let parse = try await PeerProcess.run((venvPython as NSString).deletingLastPathComponent + "/mermaidx",
                                              ["-q", "-i", file, "-o", host.root + "/capabilities.png"], timeout: .seconds(120))
        #expect(parse.status == 0, "mermaidx: \(parse.stderr)")

        let svgPath = host.root + "/capabilities.svg"
        let svg = try await host.run(["diagram", "capabilities", "--format", "svg", "-o", svgPath])
        #expect(svg.status == 0 && svg.stdout.isEmpty, "\(svg.stderr)")
        #expect(svg.stderr.contains("wrote \(svgPath) (svg, "))
        let xmllint = try await PeerProcess.run("/usr/bin/xmllint", ["--noout", svgPath])
        #expect(xmllint.status == 0, "\(xmllint.stderr)")

        let workflowPath = host.root + "/storage_check.yaml"
        try Self.workflow.write(toFile: workflowPath, atomically: true, encoding: .utf8)
        let excalidraw = try await host.run(["diagram", "workflow", workflowPath, "--format", "excalidraw", "--json"])
        #expect(excalidraw.status == 0, "\(excalidraw.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(excalidraw.stdout.utf8)) as? [String: Any]
        #expect(answer?["format"] as? String == "excalidraw")
        let document = (answer?["content"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(document?["type"] as? String == "excalidraw")
        let fromStdin = try await host.run(["diagram", "workflow", "-"], stdin: Self.workflow)
        #expect(fromStdin.status == 0 && fromStdin.stdout.contains("validate_health"), "\(fromStdin.stderr)")

        let extra = try await host.run(["diagram", "capabilities", "x.yaml"])
        #expect(extra.status == 2 && extra.stderr.contains("takes no SOURCE"), "\(extra.stderr)")
        let missing = try await host.run(["diagram", "workflow"])
        #expect(missing.status == 2 && missing.stderr.contains("needs a SOURCE file"), "\(missing.stderr)")
        let unreadable = try await host.run(["diagram", "workflow", host.root + "/none.yaml"])
        #expect(unreadable.status == 2 && unreadable.stderr.contains("cannot read it"), "\(unreadable.status) \(unreadable.stderr)")
        let badYAML = try await host.run(["diagram", "workflow", "-"], stdin: "steps: [unclosed")
        #expect(badYAML.status == 1 && badYAML.stderr.contains("line"), "the plugin's YAML error names the line: \(badYAML.stderr)")
        await host.stop()
    }
}
