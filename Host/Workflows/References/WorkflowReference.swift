import CapHostCore

/// A `${…}` reference in a workflow: `input.NAME` or `steps.NAME`, then any
/// number of `.field`, `[index]` and `[?field=='value']` (the first element
/// whose field equals the value).
public struct WorkflowReference: Sendable, Hashable, CustomStringConvertible {
    /// What the reference starts from.
    public enum Root: Sendable, Hashable {
        case input(String)
        case step(String)
    }

    /// One step down from a value.
    public enum Component: Sendable, Hashable {
        case field(String)
        case index(Int)
        /// The first element of a list whose `field` equals `value`.
        case filter(field: String, value: JSONValue)
    }

    public let root: Root
    public let path: [Component]
    /// Where the reference's text starts: 1-based line and column in the file.
    public let line: Int
    public let column: Int

    public var description: String {
        var text: String
        switch root {
        case .input(let name): text = "input.\(name)"
        case .step(let name): text = "steps.\(name)"
        }
        for component in path {
            switch component {
            case .field(let name): text += ".\(name)"
            case .index(let index): text += "[\(index)]"
            case .filter(let field, let value): text += "[?\(field)==\(value.referenceLiteral)]"
            }
        }
        return text
    }

    /// The step it reads, if it reads one.
    public var step: String? {
        if case .step(let name) = root { return name }
        return nil
    }

    /// The value the reference names in `scope`, or why there is none.
    func resolve(in scope: ReferenceScope) throws(ReferenceFailure) -> JSONValue {
        var value: JSONValue
        switch root {
        case .input(let name):
            guard let given = scope.inputs[name] else {
                throw ReferenceFailure(reference: self, message: "no input '\(name)' was given (inputs: \(scope.inputs.keys.sorted().joined(separator: ", ")))")
            }
            value = given
        case .step(let name):
            guard let output = scope.outputs[name] else {
                throw ReferenceFailure(reference: self, message: "step '\(name)' has no output (it did not run or did not succeed)")
            }
            value = output
        }
        var walked = root.description
        for component in path {
            switch component {
            case .field(let name):
                guard case .object(let members) = value else {
                    throw ReferenceFailure(reference: self, message: "\(walked) is \(value.kindName), not an object with '\(name)'")
                }
                guard let member = members[name] else {
                    throw ReferenceFailure(reference: self, message: "\(walked) has no field '\(name)' (it has: \(members.keys.sorted().prefix(20).joined(separator: ", ")))")
                }
                value = member
                walked += ".\(name)"
            case .index(let index):
                guard case .array(let items) = value else {
                    throw ReferenceFailure(reference: self, message: "\(walked) is \(value.kindName), not a list to take [\(index)] of")
                }
                guard items.indices.contains(index) else {
                    throw ReferenceFailure(reference: self, message: "\(walked) has \(items.count) element(s); [\(index)] is out of range")
                }
                value = items[index]
                walked += "[\(index)]"
            case .filter(let field, let wanted):
                guard case .array(let items) = value else {
                    throw ReferenceFailure(reference: self, message: "\(walked) is \(value.kindName), not a list to filter")
                }
                guard let match = items.first(where: { $0[field] == wanted }) else {
                    let seen = items.compactMap { $0[field]?.referenceLiteral }.prefix(10).joined(separator: ", ")
                    throw ReferenceFailure(reference: self, message: "no element of \(walked) (\(items.count)) has \(field) == \(wanted.referenceLiteral)\(seen.isEmpty ? "" : "; found \(seen)")")
                }
                value = match
                walked += "[?\(field)==\(wanted.referenceLiteral)]"
            }
        }
        return value
    }
}

extension WorkflowReference.Root {
    var description: String {
        switch self {
        case .input(let name): "input.\(name)"
        case .step(let name): "steps.\(name)"
        }
    }
}

/// What references resolve against while a workflow runs.
struct ReferenceScope: Sendable {
    var inputs: [String: JSONValue]
    /// The output of every step that finished successfully so far.
    var outputs: [String: JSONValue]
}

/// A reference that names nothing in its scope.
public struct ReferenceFailure: Error, Sendable, CustomStringConvertible {
    public let reference: WorkflowReference
    public let message: String
    public var description: String { "${\(reference)}: \(message)" }
}

extension JSONValue {
    /// `'text'`, or the JSON text of anything else: how a filter's value is written.
    var referenceLiteral: String {
        if case .string(let text) = self { return "'\(text)'" }
        return serializedText
    }

    /// "an object", "a list", "text", …: for messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "text"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// Whether the value counts as true for a step's `when`: not null, false, 0, "" or empty.
    var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let flag): flag
        case .number(let number): number.double != 0
        case .string(let text): !text.isEmpty && text != "false"
        case .array(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        }
    }
}
