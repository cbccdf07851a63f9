import Foundation

/// Reads the formatted text session-buddy 0.36.0 answers in `structuredContent.result` (its
/// memory tools return prose with emoji markers, not JSON) into structured values.
///
/// Every reader checks the text's first line before anything else and throws
/// ``ReflectionTextError`` quoting the text when it does not have the shape it knows, so a
/// changed server is an error the operator can read, never a silently empty answer. The shapes
/// (recorded from the real server, see `Tests/SessionBuddyPluginTests/RecordedTexts.swift`):
///
/// - `store_reflection`: `💾 Reflection stored successfully!` / `📝 Content: …` / `🏷️ Tags: a, b` /
///   `📅 Stored: 2026-12-04 14:30:23` / `📁 Project: p`.
/// - `search_by_source_session`: `📡 Reflections produced by session: 'S'`, a rule, then
///   `📊 Found N reflection(s)` and per row `  • id=ID  📅 CREATED` / `    📝 CONTENT` /
///   `    📁 Project: P`; or `🔍 No reflections found for this session`.
/// - `search_by_concept`: `🧠 Searching for concept: 'Q'`, a rule, then
///   `📈 Found N related conversations:` and per result a blank line, `I. 📝 CONTENT` (cut to 250
///   characters, ending `...`), then optional `   📁 Project:`, `   ⭐ Relevance:`, `   📅 Date:`,
///   `   📄 Files:` lines; or `🔍 No conversations found about this concept`.
/// - `reflection_stats`: `📊 Reflection Database Statistics`, a rule, then `📈 Total reflections: N`,
///   `📁 Projects: N`, optional `📅 Date range: A to B`, `🕐 Recent activity:` bullets, and
///   `🏥 Database health: ✅ Healthy | ⚠️ Empty` (or the newer `📈 Total conversations` /
///   `💭 Total reflections` / `🔧 Embedding provider` lines).
/// - failures: `❌ Validation error: OP - WHY`, `❌ OP not available…`, `❌ OP failed: WHY`,
///   `Reflection tools not available…`, `Error storing reflection: …`, `Concept search error: …`.
package enum ReflectionText {
    /// The confirmation of `store_reflection`.
    package struct Stored: Equatable, Sendable {
        /// The content as echoed (cut to 100 characters by session-buddy).
        package var content: String
        package var tags: [String]
        /// `YYYY-MM-DD HH:MM:SS` (UTC) as session-buddy printed it.
        package var storedAt: String?
        package var project: String?
    }

    /// One row of `search_by_source_session`.
    package struct SourceRow: Equatable, Sendable {
        package var id: String
        /// ISO 8601 without offset, as session-buddy printed it; nil when it printed `Unknown`.
        package var createdAt: String?
        /// The content cut to 150 characters.
        package var content: String
        package var project: String?
    }

    /// One result of `search_by_concept`.
    package struct Found: Equatable, Sendable {
        /// The content as shown: whole up to 250 characters, else 247 and `...`.
        package var content: String
        package var project: String?
        package var score: Double?
        package var date: String?
        package var files: [String]
    }

    /// `reflection_stats`, with every field session-buddy printed.
    package struct Stats: Equatable, Sendable {
        package var totalReflections: Int
        package var projects: Int?
        package var conversations: Int?
        package var embeddingProvider: String?
        package var dateRange: (start: String, end: String)?
        package var recentActivity: [String]
        /// `healthy` or `empty`.
        package var databaseHealth: String?

        package static func == (lhs: Stats, rhs: Stats) -> Bool {
            lhs.totalReflections == rhs.totalReflections && lhs.projects == rhs.projects
                && lhs.conversations == rhs.conversations && lhs.embeddingProvider == rhs.embeddingProvider
                && lhs.dateRange?.start == rhs.dateRange?.start && lhs.dateRange?.end == rhs.dateRange?.end
                && lhs.recentActivity == rhs.recentActivity && lhs.databaseHealth == rhs.databaseHealth
        }
    }

    /// session-buddy shows content cut to `limit` characters (Python code points, i.e. Unicode
    /// scalars): whole when it fits, else the first `limit - 3` and `...`.
    package static func shown(_ content: String, limit: Int) -> String {
        let scalars = content.unicodeScalars
        guard scalars.count > limit else { return content }
        var cut = String.UnicodeScalarView()
        cut.append(contentsOf: scalars.prefix(limit - 3))
        return String(cut) + "..."
    }

    // MARK: - store_reflection

    package static func stored(_ text: String) throws(ReflectionTextError) -> Stored {
        let lines = text.components(separatedBy: "\n")
        try failure(in: text, tool: "store_reflection")
        guard lines.first?.hasPrefix("💾 Reflection stored successfully!") == true else {
            throw .unexpected(tool: "store_reflection", expected: "'💾 Reflection stored successfully!' first", text: text)
        }
        var stored = Stored(content: "", tags: [], storedAt: nil, project: nil)
        var inContent = false
        for line in lines.dropFirst() {
            if let value = line.value(after: "📝 Content: ") {
                stored.content = value
                inContent = true
            } else if let value = line.value(after: "🏷️ Tags: ") ?? line.value(after: "🏷 Tags: ") {
                stored.tags = value.components(separatedBy: ", ")
                inContent = false
            } else if let value = line.value(after: "📅 Stored: ") {
                stored.storedAt = value
                inContent = false
            } else if let value = line.value(after: "📁 Project: ") {
                stored.project = value
                inContent = false
            } else if inContent {
                stored.content += "\n" + line
            }
        }
        return stored
    }

    // MARK: - search_by_source_session

    package static func sourceRows(_ text: String) throws(ReflectionTextError) -> [SourceRow] {
        try failure(in: text, tool: "search_by_source_session")
        let lines = text.components(separatedBy: "\n")
        guard lines.first?.hasPrefix("📡 Reflections produced by session: ") == true else {
            throw .unexpected(tool: "search_by_source_session", expected: "'📡 Reflections produced by session: …' first", text: text)
        }
        if lines.contains(where: { $0.hasPrefix("🔍 No reflections found") }) { return [] }
        guard let countLine = lines.first(where: { $0.hasPrefix("📊 Found ") }),
              let count = Int(countLine.dropFirst("📊 Found ".count).prefix { $0.isNumber }) else {
            throw .unexpected(tool: "search_by_source_session", expected: "a '📊 Found N reflection(s)' line", text: text)
        }
        var rows: [SourceRow] = []
        for line in lines {
            if let rest = line.value(after: "  • id=") {
                let parts = rest.components(separatedBy: "  📅 ")
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw .unexpected(tool: "search_by_source_session", expected: "'  • id=ID  📅 DATE' rows", text: text)
                }
                rows.append(SourceRow(id: parts[0], createdAt: parts[1] == "Unknown" ? nil : parts[1], content: "", project: nil))
            } else if !rows.isEmpty, let value = line.value(after: "    📝 ") {
                rows[rows.count - 1].content = value
            } else if !rows.isEmpty, let value = line.value(after: "    📁 Project: ") {
                rows[rows.count - 1].project = value
            }
        }
        guard rows.count == count else {
            throw .unexpected(tool: "search_by_source_session", expected: "\(count) rows as announced, read \(rows.count)", text: text)
        }
        return rows
    }

    // MARK: - search_by_concept

    /// Metadata lines that may follow a result's content, in the order session-buddy writes them.
    private static let resultFields = ["   📁 Project: ", "   ⭐ Relevance: ", "   📅 Date: ", "   📄 Files: "]

    package static func found(_ text: String) throws(ReflectionTextError) -> [Found] {
        try failure(in: text, tool: "search_by_concept")
        guard text.hasPrefix("🧠 Searching for concept: ") else {
            throw .unexpected(tool: "search_by_concept", expected: "'🧠 Searching for concept: …' first", text: text)
        }
        if text.contains("\n🔍 No conversations found about this concept") { return [] }
        let header = "📈 Found "
        guard let headerRange = text.range(of: "\n" + header) else {
            throw .unexpected(tool: "search_by_concept", expected: "a '📈 Found N related conversations:' line", text: text)
        }
        let afterHeader = text[headerRange.upperBound...]
        guard let count = Int(afterHeader.prefix { $0.isNumber }), afterHeader.dropFirst("\(count)".count).hasPrefix(" related conversations:") else {
            throw .unexpected(tool: "search_by_concept", expected: "'📈 Found N related conversations:'", text: text)
        }
        // Results are "\n\nI. 📝 …" blocks numbered from 1; content may hold line breaks, so a
        // block runs to the next number's marker, not to the next line.
        var results: [Found] = []
        var cursor = afterHeader.startIndex
        for index in 1...max(count, 1) where count > 0 {
            let marker = "\n\n\(index). 📝 "
            guard let start = text.range(of: marker, range: cursor..<text.endIndex) else {
                throw .unexpected(tool: "search_by_concept", expected: "\(count) results as announced, result \(index) is missing", text: text)
            }
            // The last block runs to the end, whatever its content holds.
            let end = index == count ? text.endIndex
                : text.range(of: "\n\n\(index + 1). 📝 ", range: start.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
            results.append(try block(String(text[start.upperBound..<end]), text: text))
            cursor = end
        }
        return results
    }

    private static func block(_ block: String, text: String) throws(ReflectionTextError) -> Found {
        var lines = block.components(separatedBy: "\n")
        var found = Found(content: "", project: nil, score: nil, date: nil, files: [])
        // Metadata lines close the block; the content is what precedes them.
        while lines.count > 1, let last = lines.last, let field = resultFields.first(where: { last.hasPrefix($0) }) {
            let value = String(last.dropFirst(field.count))
            switch field {
            case "   📁 Project: ": found.project = value
            case "   ⭐ Relevance: ":
                guard let score = Double(value) else {
                    throw .unexpected(tool: "search_by_concept", expected: "a number after '⭐ Relevance:', found '\(value)'", text: text)
                }
                found.score = score
            case "   📅 Date: ": found.date = value
            default: found.files = value.components(separatedBy: ", ")
            }
            lines.removeLast()
        }
        found.content = lines.joined(separator: "\n")
        return found
    }

    // MARK: - reflection_stats

    package static func stats(_ text: String) throws(ReflectionTextError) -> Stats {
        try failure(in: text, tool: "reflection_stats")
        let lines = text.components(separatedBy: "\n")
        guard lines.first?.hasPrefix("📊 Reflection Database Statistics") == true else {
            throw .unexpected(tool: "reflection_stats", expected: "'📊 Reflection Database Statistics' first", text: text)
        }
        if lines.contains(where: { $0.hasPrefix("📊 No statistics available") }) {
            throw .unavailable(tool: "reflection_stats", text: text)
        }
        var total: Int?
        var stats = Stats(totalReflections: 0, projects: nil, conversations: nil, embeddingProvider: nil,
                          dateRange: nil, recentActivity: [], databaseHealth: nil)
        var inActivity = false
        for line in lines.dropFirst() {
            if let value = line.value(after: "📈 Total reflections: ") ?? line.value(after: "💭 Total reflections: ") {
                total = try number(value, after: "Total reflections", text: text)
            } else if let value = line.value(after: "📁 Projects: ") {
                stats.projects = try number(value, after: "Projects", text: text)
            } else if let value = line.value(after: "📈 Total conversations: ") {
                stats.conversations = try number(value, after: "Total conversations", text: text)
            } else if let value = line.value(after: "🔧 Embedding provider: ") {
                stats.embeddingProvider = value
            } else if let value = line.value(after: "📅 Date range: ") {
                let parts = value.components(separatedBy: " to ")
                if parts.count == 2 { stats.dateRange = (parts[0], parts[1]) }
            } else if line.hasPrefix("🕐 Recent activity:") {
                inActivity = true
                continue
            } else if inActivity, let value = line.value(after: "   • ") {
                stats.recentActivity.append(value)
                continue
            } else if let value = line.value(after: "🏥 Database health: ") {
                stats.databaseHealth = value.contains("Healthy") ? "healthy" : value.contains("Empty") ? "empty" : value
            }
            inActivity = false
        }
        guard let total else {
            throw .unexpected(tool: "reflection_stats", expected: "a 'Total reflections: N' line", text: text)
        }
        stats.totalReflections = total
        return stats
    }

    private static func number(_ value: String, after label: String, text: String) throws(ReflectionTextError) -> Int {
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
            throw .unexpected(tool: "reflection_stats", expected: "a whole number after '\(label):', found '\(value)'", text: text)
        }
        return number
    }

    // MARK: - Failures

    /// Throws when `text` is one of session-buddy's failure messages rather than an answer.
    package static func failure(in text: String, tool: String) throws(ReflectionTextError) {
        let first = text.prefix { $0 != "\n" }
        if first.hasPrefix("❌ Validation error: ") { throw .rejected(tool: tool, text: text) }
        if first.hasPrefix("❌ ") && first.contains(" not available") { throw .unavailable(tool: tool, text: text) }
        if first.hasPrefix("Reflection tools not available") { throw .unavailable(tool: tool, text: text) }
        if first.hasPrefix("❌ ") || first.hasPrefix("Error storing reflection: ") || first.hasPrefix("Concept search error: ")
            || first.hasPrefix("File search error: ") {
            throw .failed(tool: tool, text: text)
        }
    }
}

/// Why a session-buddy text could not be read as an answer.
package enum ReflectionTextError: Error, Equatable, Sendable, CustomStringConvertible {
    /// session-buddy refused the input (`❌ Validation error: …`).
    case rejected(tool: String, text: String)
    /// session-buddy says its store is not available.
    case unavailable(tool: String, text: String)
    /// session-buddy reported a failure of its own.
    case failed(tool: String, text: String)
    /// A text whose shape the plugin does not know.
    case unexpected(tool: String, expected: String, text: String)

    package var description: String {
        switch self {
        case .rejected(let tool, let text): "session-buddy refused \(tool): \(Self.quote(text))"
        case .unavailable(let tool, let text): "session-buddy cannot serve \(tool) now: \(Self.quote(text))"
        case .failed(let tool, let text): "session-buddy's \(tool) failed: \(Self.quote(text))"
        case .unexpected(let tool, let expected, let text):
            "cannot read session-buddy's \(tool) answer (expected \(expected)): \(Self.quote(text))"
        }
    }

    /// The text in quotes, shortened to 600 characters.
    package static func quote(_ text: String) -> String {
        let short = text.count > 600 ? String(text.prefix(600)) + "…" : text
        return "\"" + short.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

extension String {
    /// The rest of the line after `prefix`, or nil when the line does not start with it.
    fileprivate func value(after prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
