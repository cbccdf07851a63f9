/// `${VAR}` references inside configuration text: the only way a secret (or
/// anything else from the environment) enters a configuration. `$${` writes a
/// literal `${`; a `$` not followed by `{` is an ordinary character.
enum EnvironmentReference {
    /// The text with its references replaced, and the variables it named. What a
    /// variable holds is text: it is never typed as a YAML scalar would be (`007`
    /// stays `007`), so it can only be shown as its reference.
    struct Resolution: Sendable, Equatable {
        let text: String
        let variables: [String]
    }

    enum Failure: Error, Sendable, Equatable {
        case unterminated(offset: Int)
        case invalidName(String)
        case unset([String])

        var message: String {
            switch self {
            case .unterminated:
                "a \"${\" reference is not closed with \"}\" (write \"$${\" for a literal \"${\")"
            case .invalidName(let name):
                "\"${\(name)}\" is not a variable reference: expected a name of letters, digits and _ not starting with a digit"
            case .unset(let names):
                names.count == 1
                    ? "environment variable \(names[0]) is not set"
                    : "environment variables \(names.joined(separator: ", ")) are not set"
            }
        }
    }

    /// Whether `text` mentions a reference at all (an escaped `$${` does not count).
    static func containsReference(_ text: String) -> Bool {
        (try? scan(text).contains { if case .reference = $0 { true } else { false } }) ?? true
    }

    /// Resolves every reference in `text` from `environment`.
    static func resolve(_ text: String, environment: [String: String]) throws(Failure) -> Resolution {
        let pieces = try scan(text)
        var output = ""
        var variables: [String] = []
        var unset: [String] = []
        for piece in pieces {
            switch piece {
            case .literal(let literal):
                output += literal
            case .reference(let name):
                variables.append(name)
                if let value = environment[name] { output += value } else if !unset.contains(name) { unset.append(name) }
            }
        }
        guard unset.isEmpty else { throw .unset(unset) }
        return Resolution(text: output, variables: variables)
    }

    private enum Piece: Equatable {
        case literal(String)
        case reference(String)
    }

    private static func scan(_ text: String) throws(Failure) -> [Piece] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [Piece] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(String(literal))); literal = .init() }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "$", index + 1 < scalars.count {
                if scalars[index + 1] == "$", index + 2 < scalars.count, scalars[index + 2] == "{" {
                    literal.append("$")
                    literal.append("{")
                    index += 3
                    continue
                }
                if scalars[index + 1] == "{" {
                    guard let close = scalars[(index + 2)...].firstIndex(of: "}") else { throw .unterminated(offset: index) }
                    let name = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
                    guard isVariableName(name) else { throw .invalidName(name) }
                    flush()
                    pieces.append(.reference(name))
                    index = close + 1
                    continue
                }
            }
            literal.append(scalar)
            index += 1
        }
        flush()
        return pieces
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
