/// Collects the problems found while reading one file, so the loader can report
/// them all at once, in file order.
package final class ProblemCollector {
    package let file: String
    package private(set) var problems: [ConfigProblem] = []

    package init(file: String) { self.file = file }

    package var isEmpty: Bool { problems.isEmpty }

    package func add(line: Int, column: Int, keyPath: String, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, column: column, keyPath: keyPath, message: message))
    }

    package func add(at node: ConfigNode, _ message: String) {
        add(line: node.line, column: node.column, keyPath: node.keyPath, message)
    }

    /// "expected …, found …" at `node`; "the value of ${VAR} is not …" for a value from the
    /// environment, which is never repeated.
    package func expected(_ expectation: String, at node: ConfigNode) {
        if let scalar = node.scalar, scalar.fromReference {
            add(at: node, "\(scalar.referenceDescription) is not \(expectation)")
        } else {
            add(at: node, "expected \(expectation), found \(node.found)")
        }
    }

    /// The collected problems as an error, or nil when there were none.
    package func error() -> ConfigFileError? {
        guard !problems.isEmpty else { return nil }
        let ordered = problems.enumerated().sorted { left, right in
            let (l, r) = (left.element, right.element)
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return left.offset < right.offset
        }.map(\.element)
        return ConfigFileError(file: file, problems: ordered)
    }
}
