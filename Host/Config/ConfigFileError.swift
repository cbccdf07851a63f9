/// A configuration file that cannot be used, with every problem found in it
/// (the loader reads on after the first one so the operator fixes all at once).
public struct ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as it was named to the loader.
    public let file: String
    /// Every problem, in file order; never empty.
    public let problems: [ConfigProblem]

    /// Creates the error; `problems` must not be empty.
    public init(file: String, problems: [ConfigProblem]) {
        precondition(!problems.isEmpty, "a ConfigFileError needs at least one problem")
        self.file = file
        self.problems = problems
    }

    /// A problem that concerns the whole file (missing, unreadable, not UTF-8).
    public init(file: String, message: String) {
        self.init(file: file, problems: [ConfigProblem(file: file, line: 0, column: 0, keyPath: "", message: message)])
    }

    /// One line per problem.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
