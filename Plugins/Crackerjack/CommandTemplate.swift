import PluginKit

/// The configured argv with its placeholders: `{args}` (a whole element) is replaced by
/// crackerjack's arguments; `{workdir}` (the project's copy), `{rundir}` (the private run folder
/// holding the copy and `home/`) and `{home}` (that HOME) are replaced inside any element.
///
/// Run in the Python 3.14 sandbox:
/// `["/bin/bash", "…/sandbox.sh", "exec", "--bind", "{rundir}", "--", "/usr/bin/env", "-C",
///   "{workdir}", "PATH=/opt/crackerjack/bin:/usr/bin:/bin", "/opt/crackerjack/bin/crackerjack", "{args}"]`.
struct CommandTemplate: Sendable, CustomStringConvertible {
    /// The elements as configured.
    let elements: [String]

    /// The placeholders a template or an environment value may use.
    static let placeholders = ["{args}", "{workdir}", "{rundir}", "{home}"]

    /// Checks `elements`: not empty, a program first, `{args}` exactly once as a whole element,
    /// no unknown `{name}`.
    init(_ elements: [String], field: String) throws(PluginError) {
        guard let program = elements.first, !program.isEmpty, program != "{args}" else {
            throw .invalidArgument("\(field): expected an argv whose first element is the program (e.g. [\"crackerjack\", \"{args}\"]), found \(Self.quoted(elements))")
        }
        let slots = elements.filter { $0 == "{args}" }.count
        guard slots == 1 else {
            throw .invalidArgument("\(field): expected the element \"{args}\" exactly once (where crackerjack's arguments go), found it \(slots) times in \(Self.quoted(elements))")
        }
        for element in elements where element != "{args}" {
            try Self.checkPlaceholders(in: element, field: field)
        }
        self.elements = elements
    }

    /// Throws when `text` holds a `{name}` other than the known placeholders (`{args}` only as a
    /// whole argv element).
    static func checkPlaceholders(in text: String, field: String) throws(PluginError) {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return }
            let name = String(rest[open...close])
            if name.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0 == "_" }), name.count > 2 {
                guard Self.placeholders.contains(name), name != "{args}" else {
                    throw .invalidArgument("\(field): unknown placeholder \(name) in \"\(text)\"; expected {workdir}, {rundir} or {home} inside an element, or {args} as a whole element")
                }
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    /// The argv for one run: placeholders replaced, `arguments` spliced in at `{args}`.
    func expanded(arguments: [String], folders: RunFolders) -> [String] {
        elements.flatMap { element -> [String] in
            element == "{args}" ? arguments : [folders.substitute(element)]
        }
    }

    /// The program as configured (for messages).
    var program: String { elements[0] }

    var description: String { Self.quoted(elements) }

    static func quoted(_ elements: [String]) -> String {
        "[" + elements.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
}
