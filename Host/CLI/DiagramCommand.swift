import ArgumentParser
import CapHostClient
import CapHostCore
import Foundation

/// `caphost diagram WHAT [SOURCE]`: draw the live capability graph, a workflow or any node/edge
/// graph through the running host's diagram plugin.
struct DiagramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Draw the live capability graph, a workflow or a node/edge graph as Mermaid, Excalidraw or SVG.",
        discussion: """
        The running host's diagram plugin does the drawing (adapter:diagram:FORMAT), so \
        the capability graph is the host's own, live: every slot, its candidates and the \
        active binding.

          capabilities          the host's slots now (no SOURCE)
          workflow FILE.yaml    a workflow: requirements, steps and the ${steps…} data flow
          workflow --run ID     a recorded run (`caphost runs`): its workflow, each step
                                toned by its outcome with its provider and duration
          graph FILE.json       any graph: {"direction", "nodes", "edges", "groups"}

        The diagram text goes to standard output, or to --output FILE. With --json the \
        plugin's whole answer is printed ({format, mediaType, content, nodes, edges}).

        Examples:
          caphost diagram capabilities > slots.mmd
          caphost diagram capabilities --format svg -o slots.svg
          caphost diagram workflow quality-loop.yaml --format excalidraw -o loop.excalidraw
          caphost diagram workflow --run lq2v8x1k-3fa9c2 --format svg -o run.svg
        """)

    /// What to draw.
    enum Subject: String, ExpressibleByArgument, CaseIterable {
        case capabilities, workflow, graph
    }

    /// The diagram formats, one capability each.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, excalidraw, svg
    }

    @Argument(help: ArgumentHelp("capabilities, workflow or graph.", valueName: "what"))
    var subject: Subject

    @Argument(help: ArgumentHelp("The workflow (.yaml) or graph (.json) file; - reads standard input.", valueName: "source"))
    var source: String?

    @Option(help: "mermaid, excalidraw or svg.")
    var format: Format = .mermaid

    @Option(help: ArgumentHelp("With workflow: draw this recorded run instead of a file.", valueName: "id"))
    var run: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Write the diagram to this file instead of standard output.", valueName: "file"))
    var output: String?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        switch subject {
        case .capabilities where source != nil:
            throw ValidationError("`diagram capabilities` draws the running host's slots and takes no SOURCE (found \"\(source!)\")")
        case .workflow where source != nil && run != nil:
            throw ValidationError("`diagram workflow` draws a SOURCE file or a --run, not both")
        case .workflow where source == nil && run == nil:
            throw ValidationError("`diagram workflow` needs a SOURCE file (or - for standard input) or --run ID")
        case .graph where source == nil:
            throw ValidationError("`diagram graph` needs a SOURCE file (or - for standard input)")
        case .capabilities where run != nil, .graph where run != nil:
            throw ValidationError("--run only applies to `diagram workflow`")
        default:
            break
        }
    }

    func run() async throws {
        let (method, payload) = try await request()
        // Each format is its own capability of the slot adapter:diagram, so the provider is named.
        let provider = CapabilityReference.provider(CapabilityID(slot: SlotKey(domain: "adapter", category: "diagram"), provider: format.rawValue))
        let result = try await client.withClient { try await $0.invoke(provider, method: method, payload: payload) }
        if client.json {
            FileHandle.standardOutput.write(Data(result.body))
            if result.body.last != UInt8(ascii: "\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
            return
        }
        struct Answer: Decodable { let content: String }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(result.body)) else {
            throw ValidationError("the diagram plugin answered without a \"content\" text: \(String(decoding: result.body.prefix(200), as: UTF8.self))")
        }
        if let output {
            do {
                try Data(answer.content.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw ValidationError("--output \(output): cannot write: \(error.localizedDescription)")
            }
            Terminal.error("wrote \(output) (\(format.rawValue), \(answer.content.utf8.count) bytes)")
        } else {
            Terminal.emit(answer.content)
        }
    }

    /// The method and payload for `subject`.
    private func request() async throws -> (String, [UInt8]) {
        switch subject {
        case .capabilities:
            return ("render_capabilities", Array("{}".utf8))
        case .workflow where run != nil:
            let recorded = try await client.withClient { try await $0.workflowRun(id: run!) }
            let steps: [JSONValue] = (recorded["steps"]?.arrayValue ?? []).map { step in
                var kept: [String: JSONValue] = [:]
                for key in ["name", "outcome", "provider", "durationMilliseconds", "error"] { kept[key] = step[key] ?? .null }
                if kept["durationMilliseconds"] == .null { kept["durationMilliseconds"] = nil }
                return .object(kept)
            }
            let title = "run \(run!) of \(recorded["workflow"]?.stringValue ?? ""): \(recorded["state"]?.stringValue ?? "")"
            return ("render_workflow", JSONValue.object(["yaml": recorded["document"] ?? "", "name": recorded["workflow"] ?? .null,
                                                         "title": .string(title), "run": ["steps": .array(steps)]]).serialized())
        case .workflow:
            let text = try await readSource()
            let payload = try JSONSerialization.data(withJSONObject: ["yaml": String(decoding: text, as: UTF8.self)])
            return ("render_workflow", Array(payload))
        case .graph:
            let text = try await readSource()
            guard let graph = try? JSONSerialization.jsonObject(with: Data(text)) else {
                throw ValidationError("SOURCE \(source!): not JSON; expected {\"nodes\": [...], \"edges\": [...]}")
            }
            return ("render", Array(try JSONSerialization.data(withJSONObject: ["graph": graph])))
        }
    }

    private func readSource() async throws -> [UInt8] {
        guard let source, source != "-" else { return await Terminal.readStandardInput() }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw ValidationError("SOURCE \(source): cannot read it (no such file, or not readable)")
        }
        return Array(data)
    }
}
