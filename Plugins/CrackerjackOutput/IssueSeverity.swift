/// How much an issue matters, from the tool and its code (the table is in the README).
///
/// - high: likely bugs or risks — undefined names, syntax errors, pylint errors, type errors,
///   security findings, leaked secrets;
/// - medium: suspicious code — other pyflakes findings (unused imports and variables), bugbear,
///   bandit rules reported by ruff, pylint warnings, complexity and dead code;
/// - low: style and modernisation — formatting, naming, docs, import order, refurb, spelling.
package enum IssueSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case high, medium, low

    package static func < (lhs: IssueSeverity, rhs: IssueSeverity) -> Bool {
        let order: [IssueSeverity] = [.low, .medium, .high]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }

    /// Hooks whose every finding is high: type errors, security risks, leaked secrets, files
    /// that do not parse, conflict markers.
    package static let highTools: Set<String> = [
        "ty", "ty-ignore-syntax", "pyright", "pyrefly", "zuban", "mypy",
        "bandit", "semgrep", "betterleaks", "gitleaks", "osv-scanner", "pip-audit",
        "check-ast", "no-conflict-markers",
    ]
    /// Hooks whose every finding is low: spelling, formatting, modernisation, links.
    package static let lowTools: Set<String> = [
        "refurb", "codespell", "ruff-format", "mdformat", "trailing-whitespace", "end-of-file-fixer", "format-json",
        "check-local-links", "linkcheckmd", "lychee", "tc-refs",
    ]

    /// The severity of `code` reported by `tool`.
    package static func of(tool: String, code: String?) -> IssueSeverity {
        let code = code?.uppercased() ?? ""
        if tool == "ruff-check" || tool == "ruff" { return ruff(code) }
        if highTools.contains(tool) { return .high }
        if lowTools.contains(tool) { return .low }
        // Complexity, cohesion, dead code, unused dependencies, invalid YAML/TOML/JSON, the
        // lock file, and any hook not named here.
        return .medium
    }

    /// ruff's rule codes: E9 (syntax, I/O), F63/F7 (invalid comparisons, misplaced statements),
    /// F82 (undefined names) and PLE (pylint errors) are high; the other F, B (bugbear), S
    /// (bandit), PLW, C90 (complexity) and ASYNC are medium; everything else is style: low.
    package static func ruff(_ code: String) -> IssueSeverity {
        // A rule code is its linter's letters, then digits: "F401", "PLE0101", "SIM108".
        let letters = String(code.prefix { $0.isLetter })
        let digits = code.dropFirst(letters.count)
        switch letters {
        case "E" where digits.hasPrefix("9"), "PLE": return .high
        case "F" where digits.hasPrefix("63") || digits.hasPrefix("7") || digits.hasPrefix("82"): return .high
        case "F", "B", "S", "PLW", "ASYNC": return .medium
        case "C" where digits.hasPrefix("90"): return .medium
        default: return .low
        }
    }
}
