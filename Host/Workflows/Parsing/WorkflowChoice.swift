extension Array where Element == Workflow {
    /// The workflow named `name`, or — with no name — the file's only one; else
    /// a sentence that lists the names the file has.
    public func choose(_ name: String?) -> Result<Workflow, WorkflowChoiceError> {
        if let name {
            guard let chosen = first(where: { $0.name == name }) else {
                return .failure(WorkflowChoiceError(message: "the file has no workflow '\(name)' (it has: \(map(\.name).joined(separator: ", ")))"))
            }
            return .success(chosen)
        }
        guard count == 1 else {
            return .failure(WorkflowChoiceError(message: "the file holds \(count) workflows (\(map(\.name).joined(separator: ", "))); name the one to run"))
        }
        return .success(self[0])
    }
}

/// A file that does not hold the workflow asked for.
public struct WorkflowChoiceError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
