import PluginKit

/// What a recorded run did at each step (`{"run": {"steps": [{"name", "outcome",
/// "provider", "durationMilliseconds", "error"}]}}` in a `render_workflow`
/// payload, as `GET /v1/runs/{id}` answers it): a step node is toned by its
/// outcome and gets a line with the provider and duration, or the error.
struct WorkflowRunOverlay {
    struct Step {
        let outcome: String
        let provider: String?
        let milliseconds: Double?
        let error: String?
    }

    private(set) var steps: [String: Step] = [:]

    /// Reads `run.steps`; each entry needs a name and an outcome.
    init(_ field: PayloadField) throws(PluginError) {
        for element in try field.required("steps", expected: "the run's steps (an array)").elements() {
            let name = try element.required("name", expected: "the step's name (string)").nonEmptyString(limit: 200)
            let outcome = try element.required("outcome", expected: "succeeded, failed, skipped or not_run")
                .choice(["succeeded", "failed", "skipped", "not_run"])
            var milliseconds: Double?
            if case .number(let value)? = try element.member("durationMilliseconds")?.value.kind { milliseconds = value }
            steps[name] = Step(outcome: outcome, provider: try element.member("provider").flatMap { field throws(PluginError) in
                                   if case .null = field.value.kind { return nil }
                                   return try field.string()
                               },
                               milliseconds: milliseconds,
                               error: try element.member("error").flatMap { field throws(PluginError) in
                                   if case .null = field.value.kind { return nil }
                                   return try field.string()
                               })
        }
    }

    /// The step node's tone for `name`, or nil when the run has no record of it.
    func tone(of name: String) -> NodeTone? {
        switch steps[name]?.outcome {
        case "succeeded": .success
        case "failed": .danger
        case "skipped", "not_run": .muted
        default: nil
        }
    }

    /// The line the step's label gets: `✓ provider · 12.3 ms`, `✗ error`, `– skipped`, `· not run`.
    func line(of name: String) -> String? {
        guard let step = steps[name] else { return nil }
        switch step.outcome {
        case "succeeded":
            let duration = step.milliseconds.map { " · \(($0 * 10).rounded() / 10) ms" } ?? ""
            return "✓ \(step.provider ?? "")\(duration)"
        case "failed":
            let error = step.error ?? "failed"
            return "✗ " + (error.count > 60 ? String(error.prefix(59)) + "…" : error)
        case "skipped": return "– skipped"
        default: return "· not run"
        }
    }
}
