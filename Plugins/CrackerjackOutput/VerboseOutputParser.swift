import Foundation

/// Reads what `crackerjack run --verbose` prints (0.91.1; there is no machine-readable report)
/// into hooks, issues and messages.
///
/// The shapes it knows, all seen in real runs (recorded under
/// `Tests/CrackerjackPluginTests/Fixtures`):
/// - a hook's status per attempt: `ruff-check.......... ❌` (✅ passed);
/// - `Fast Hook Results:` / `Comprehensive Hook Results:` then
///   ` - ruff-check :: FAILED | 5.00s | issues=2` per hook (each retry prints a new table;
///   the last one counts);
/// - `Details for failing fast hooks (NAME):` then ` - ruff-check (failed)` and under it one
///   ` - …` line per finding:
///   - ruff: ` - /abs/pkg/__init__.py:1: F401 \`os\` imported but unused` (absolute path);
///   - refurb: ` - pkg/__init__.py:5 [FURB118] Replace … with \`operator.add\``;
///   - other tools' `FILE:LINE[:COL]: [error[CODE]] MESSAGE`;
///   - anything else (`Exit code: 1`, `Error: [Errno 2] No such file or directory: 'uv'`,
///     `No git-tracked files found`) is a message of the hook, not an issue;
/// - rich wraps a long detail at the console width (80 columns without a terminal): a line
///   that does not start with ` - ` continues the one before;
/// - a passing table ends with ` Summary: 1/1 hooks passed, 0 issues found`;
/// - stderr: `Workflow failed: Task fast_hooks failed after 1 attempt(s): …`.
package struct VerboseOutputParser {
    /// What the output said.
    package struct Parsed: Sendable, Equatable {
        package var hooks: [HookOutcome] = []
        package var issues: [CrackerjackIssue] = []
        package var messages: [HookMessage] = []
        /// crackerjack's closing line (`Workflow failed: …`), else its last tally
        /// (`Summary: 1/1 hooks passed, 0 issues found`), when it printed one.
        package var summary: String?
        /// The hooks whose last status was neither `passed` nor `skipped`.
        package var failedHooks: [String] { hooks.filter { $0.status != "passed" && $0.status != "skipped" }.map(\.name) }
    }

    /// The project copy's path (and its real path, when different): stripped from file names.
    package let workDirectories: [String]

    package init(workDirectory: String) {
        var directories = [workDirectory]
        if let real = FileSystemPath.realPath(workDirectory), real != workDirectory { directories.append(real) }
        workDirectories = directories
    }

    nonisolated(unsafe) package static let statusLine = #/^(?<name>[A-Za-z0-9][A-Za-z0-9._-]*?)\.{3,}\s*(?<mark>\S+)$/#
    nonisolated(unsafe) package static let resultsHeader = #/^(?<phase>Fast|Comprehensive) Hook Results:$/#
    nonisolated(unsafe) package static let resultsEntry = #/^ - (?<name>\S+) :: (?<status>[A-Za-z_]+)(?: \| (?<seconds>[0-9.]+)s)?(?: \| issues=(?<issues>\d+))?.*$/#
    nonisolated(unsafe) package static let detailsHeader = #/^Details for failing (?<phase>fast|comprehensive) hooks(?: \(.*\))?:$/#
    nonisolated(unsafe) package static let detailsHook = #/^ - (?<name>[A-Za-z0-9][A-Za-z0-9._-]*) \((?<status>[a-z_ -]+)\)$/#
    nonisolated(unsafe) package static let ruffIssue = #/^(?<file>[^\s:][^:]*):(?<line>\d+):(?:(?<column>\d+):)? (?<code>[A-Z]+[0-9]+) (?<message>.+)$/#
    nonisolated(unsafe) package static let refurbIssue = #/^(?<file>[^\s:][^:]*):(?<line>\d+)(?::(?<column>\d+))? \[(?<code>[A-Z]+[0-9]+)\]:? (?<message>.+)$/#
    nonisolated(unsafe) package static let genericIssue = #/^(?<file>[^\s:][^:]*):(?<line>\d+)(?::(?<column>\d+))?:? (?:(?:error|warning|note|info)\[(?<code>[^\]\s]+)\]:? )?(?<message>.+)$/#

    /// Parses one run's stdout and stderr.
    package func parse(stdout: String, stderr: String) -> Parsed {
        var parsed = Parsed()
        var phase = "fast"
        var statuses: [String: [(name: String, mark: String)]] = [:]
        var results: [String: [HookOutcome]] = [:]
        var details: [String: [(hook: String, items: [String])]] = [:]
        enum Section { case none, results, details }
        var section = Section.none

        for raw in Self.lines(stdout) {
            let line = raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                section = .none
                continue
            }
            if line.contains("Fast Hooks -") && line.hasPrefix("🔍") {
                phase = "fast"
                statuses[phase] = []
                continue
            }
            if line.contains("Comprehensive Hooks -") && line.hasPrefix("🔍") {
                phase = "comprehensive"
                statuses[phase] = []
                continue
            }
            if let match = line.wholeMatch(of: Self.resultsHeader) {
                phase = match.phase == "Fast" ? "fast" : "comprehensive"
                results[phase] = []
                section = .results
                continue
            }
            if let match = line.wholeMatch(of: Self.detailsHeader) {
                phase = String(match.phase)
                details[phase] = []
                section = .details
                continue
            }
            switch section {
            case .results:
                if let match = line.wholeMatch(of: Self.resultsEntry) {
                    results[phase, default: []].append(HookOutcome(
                        name: String(match.name), phase: phase, status: Self.status(word: String(match.status)),
                        durationSeconds: match.seconds.flatMap { Double($0) }, issuesReported: match.issues.flatMap { Int($0) }))
                }
            case .details:
                let known = Set((results[phase] ?? []).map(\.name) + (statuses[phase] ?? []).map(\.name))
                if let match = line.wholeMatch(of: Self.detailsHook), known.isEmpty || known.contains(String(match.name)) {
                    details[phase, default: []].append((String(match.name), []))
                } else if line.hasPrefix(" - ") {
                    if details[phase, default: []].isEmpty { details[phase]!.append(("unknown", [])) }
                    details[phase]![details[phase]!.count - 1].items.append(String(line.dropFirst(3)))
                } else if var hooks = details[phase], let lastHook = hooks.indices.last, !hooks[lastHook].items.isEmpty {
                    // rich wrapped the line before at the console width.
                    let lastItem = hooks[lastHook].items.count - 1
                    hooks[lastHook].items[lastItem] += " " + line.trimmingCharacters(in: .whitespaces)
                    details[phase] = hooks
                }
            case .none:
                if let match = line.wholeMatch(of: Self.statusLine) {
                    statuses[phase, default: []].append((String(match.name), String(match.mark)))
                }
            }
        }

        for phase in ["fast", "comprehensive"] {
            // The status lines of the last attempt, with the table's facts where it has the
            // hook (a table may list only the failing hooks); a hook only in the table (the
            // attempt was cut short) comes after them.
            let table = results[phase] ?? []
            let marks = statuses[phase] ?? []
            for (name, mark) in marks {
                parsed.hooks.append(table.first { $0.name == name }
                    ?? HookOutcome(name: name, phase: phase, status: Self.status(mark: mark), durationSeconds: nil, issuesReported: nil))
            }
            parsed.hooks += table.filter { entry in !marks.contains { $0.name == entry.name } }
            for (hook, items) in details[phase] ?? [] {
                for item in items {
                    if let issue = issue(item, tool: hook) {
                        parsed.issues.append(issue)
                    } else {
                        parsed.messages.append(HookMessage(tool: hook, text: item))
                    }
                }
            }
        }
        let closing = Self.lines(stderr).last { $0.hasPrefix("Workflow ") } ?? Self.lines(stdout).last { $0.hasPrefix("Workflow ") }
        let tally = Self.lines(stdout).last { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Summary: ") }
        parsed.summary = (closing ?? tally).map { $0.trimmingCharacters(in: .whitespaces) }
        return parsed
    }

    /// One detail line as an issue, when it names a file and a line.
    package func issue(_ text: String, tool: String) -> CrackerjackIssue? {
        let fields: (file: Substring, line: Substring, column: Substring?, code: Substring?, message: Substring)
        if let match = text.wholeMatch(of: Self.refurbIssue) {
            fields = (match.file, match.line, match.column, match.code, match.message)
        } else if let match = text.wholeMatch(of: Self.ruffIssue) {
            fields = (match.file, match.line, match.column, match.code, match.message)
        } else if let match = text.wholeMatch(of: Self.genericIssue) {
            fields = (match.file, match.line, match.column, match.code, match.message)
        } else {
            return nil
        }
        guard fields.file.contains(where: { $0 == "." || $0 == "/" }), let line = Int(fields.line) else { return nil }
        let code = fields.code.map(String.init)
        return CrackerjackIssue(tool: tool, file: relative(String(fields.file)), line: line, column: fields.column.flatMap { Int($0) },
                                code: code, message: String(fields.message).trimmingCharacters(in: .whitespaces),
                                severity: IssueSeverity.of(tool: tool, code: code))
    }

    /// `file` relative to the project copy.
    package func relative(_ file: String) -> String {
        for directory in workDirectories where file.hasPrefix(directory + "/") {
            return String(file.dropFirst(directory.count + 1))
        }
        return file.hasPrefix("./") ? String(file.dropFirst(2)) : file
    }

    /// Lines without their line ends (`\r\n` is one Character in Swift: split on both).
    package static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { line in
                var line = line
                while let last = line.last, last == " " || last == "\t" { line = line.dropLast() }
                return line
            }
    }

    package static func status(word: String) -> String {
        switch word.uppercased() {
        case "PASSED", "PASS", "OK", "SUCCESS": "passed"
        case "FAILED", "FAIL", "FAILURE": "failed"
        default: word.lowercased()
        }
    }

    package static func status(mark: String) -> String {
        switch mark {
        case "✅": "passed"
        case "❌": "failed"
        case "⏭️", "⏭": "skipped"
        default: "unknown"
        }
    }
}
