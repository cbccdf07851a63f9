import CapHostConfig
import CapHostWorkflows
import Foundation

/// `workflow`: a workflow file as `WorkflowFileParser` reads it (UTF-8 check, YAML,
/// one workflow or a `workflows:` list, steps, references, their checks). Accepted
/// workflows must respect the parser's own limits and name themselves.
enum WorkflowFuzzTarget {
    static let target = FuzzTarget(
        name: "workflow",
        summary: "workflow YAML bytes, parsed and checked by WorkflowFileParser",
        dictionary: "yaml.dict"
    ) { input throws(FuzzFinding) in
        let workflows: [Workflow]
        do throws(ConfigFileError) {
            workflows = try WorkflowFileParser.parse(data: Data(input), file: "workflow.yaml")
        } catch {
            return
        }
        for workflow in workflows {
            guard !workflow.name.isEmpty, workflow.steps.count <= WorkflowFileParser.maximumSteps else {
                throw FuzzFinding("workflow", "accepted a workflow named '\(workflow.name)' with \(workflow.steps.count) steps")
            }
        }
    }
}
