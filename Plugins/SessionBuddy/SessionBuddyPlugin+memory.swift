import Foundation
import PluginKit
import SessionBuddyText

/// `store`, `search` and `stats`: the memory contract on session-buddy's tools.
extension SessionBuddyPlugin {
    /// `store_reflection` with a one-off `source_session_id` marker, then
    /// `search_by_source_session` with that marker: the confirmation text carries no id, the
    /// provenance listing does (`id=…`, with the creation time).
    func store(_ input: MemoryInput.Store, deadline: ContinuousClock.Instant) async throws(PluginError) -> [String: Any] {
        let marker = "caphost-\(UUID().uuidString.lowercased())"
        var arguments: [String: Any] = ["content": input.content, "source_session_id": marker]
        if !input.tags.isEmpty { arguments["tags"] = input.tags }
        if let project = input.project { arguments["project"] = project }
        let said = try await text("store_reflection", arguments, deadline: deadline)
        let confirmation: ReflectionText.Stored
        do {
            confirmation = try ReflectionText.stored(said)
        } catch {
            throw readError(error)
        }
        searchSalt.add(1, ordering: .relaxed)
        if confirmation.content != ReflectionText.shown(input.content, limit: 100) {
            context.log(.warning, "session-buddy: the stored content differs from what was sent (its memory guard rewrites some writes): echoed \(ReflectionTextError.quote(confirmation.content))")
        }
        let listing = try await text("search_by_source_session", ["session_id": marker, "limit": 5], deadline: deadline)
        let rows: [ReflectionText.SourceRow]
        do {
            rows = try ReflectionText.sourceRows(listing)
        } catch {
            throw readError(error)
        }
        guard rows.count == 1, let row = rows.first else {
            throw .internal("session-buddy at \(configuration.url) confirmed the reflection but lists \(rows.count) reflections for its marker \(marker): \(ReflectionTextError.quote(listing))")
        }
        index.remember(ReflectionIndex.Record(id: row.id, content: input.content, tags: input.tags, project: input.project,
                                              createdAt: row.createdAt))
        context.metric(.counter, "session_buddy_reflections_stored_total", value: 1)
        return ["id": row.id, "stored": true, "provider": "session-buddy"]
    }

    /// `search_by_concept` (the search that lists every result with its project), matched
    /// against the index for ids, tags and full content, filtered by project and tags.
    func search(_ input: MemoryInput.Search, deadline: ContinuousClock.Instant) async throws(PluginError) -> [String: Any] {
        // With tags to filter on, ask for the most session-buddy may give so enough survive.
        let wanted = input.tags.isEmpty ? input.limit : MemoryInput.maxLimit
        let salt = searchSalt.load(ordering: .relaxed) % Self.saltRange
        var arguments: [String: Any] = ["concept": input.query, "limit": wanted + salt, "include_files": false, "min_score": 0.0]
        if let project = input.project { arguments["project"] = project }
        let answer = try await text("search_by_concept", arguments, deadline: deadline)
        let found: [ReflectionText.Found]
        do {
            found = try ReflectionText.found(answer)
        } catch {
            throw readError(error)
        }
        var results: [[String: Any]] = []
        var used = Set<String>()
        for item in found {
            // A cached session-buddy answer shows no projects: then the index must vouch for it.
            if let project = input.project, let shown = item.project, shown != project { continue }
            let candidates = index.records(shownContent: item.content).filter { record in
                !used.contains(record.id) && (item.project == nil ? (input.project == nil || record.project == input.project) : record.project == item.project)
            }
            if let record = candidates.last {
                used.insert(record.id)
                guard input.tags.allSatisfy(record.tags.contains) else { continue }
                results.append([
                    "id": record.id, "content": record.content, "tags": record.tags,
                    "project": record.project.map { $0 as Any } ?? NSNull(),
                    "created_at": (record.createdAt ?? item.date).map { $0 as Any } ?? NSNull(),
                    "score": item.score.map { $0 as Any } ?? NSNull(),
                ])
            } else {
                // Stored by someone else: only what session-buddy showed. It cannot carry a
                // required tag, and without a shown project it cannot be placed in one.
                guard input.tags.isEmpty, input.project == nil || item.project != nil else { continue }
                results.append([
                    "id": NSNull(), "content": item.content, "tags": [String](),
                    "project": item.project.map { $0 as Any } ?? NSNull(),
                    "created_at": item.date.map { $0 as Any } ?? NSNull(),
                    "score": item.score.map { $0 as Any } ?? NSNull(),
                ])
            }
            if results.count == input.limit { break }
        }
        return ["results": results, "count": results.count, "provider": "session-buddy"]
    }

    /// `reflection_stats`, every line it prints as a field. session-buddy 0.36.0 counts every
    /// project whatever `project` says; the answer says so rather than pretend otherwise.
    func stats(project: String?, deadline: ContinuousClock.Instant) async throws(PluginError) -> [String: Any] {
        var arguments: [String: Any] = [:]
        if let project { arguments["project"] = project }
        let answer = try await text("reflection_stats", arguments, deadline: deadline)
        let stats: ReflectionText.Stats
        do {
            stats = try ReflectionText.stats(answer)
        } catch {
            throw readError(error)
        }
        var result: [String: Any] = ["total": stats.totalReflections, "provider": "session-buddy"]
        if let projects = stats.projects { result["project_count"] = projects }
        if let conversations = stats.conversations { result["conversations"] = conversations }
        if let provider = stats.embeddingProvider { result["embedding_provider"] = provider }
        if let range = stats.dateRange { result["date_range"] = ["start": range.start, "end": range.end] }
        if !stats.recentActivity.isEmpty { result["recent_activity"] = stats.recentActivity }
        if let health = stats.databaseHealth { result["database_health"] = health }
        if let project {
            result["project"] = project
            result["scope"] = "all projects: session-buddy's reflection_stats does not filter by project"
        }
        return result
    }
}
