@testable import SessionBuddyText
import Testing

/// The readers of session-buddy's formatted texts, on texts recorded from the real server
/// (``RecordedTexts``), and on changed texts that must be errors quoting them, never empty answers.
@Suite struct ReflectionTextTests {
    @Test func aStoreConfirmationIsRead() throws {
        let stored = try ReflectionText.stored(RecordedTexts.storedWithProject)
        #expect(stored == ReflectionText.Stored(content: "ruff F401 unused import os in pkg/util.py keeps coming back",
                                                tags: ["ruff", "F401", "pkg/util.py"], storedAt: "2026-12-04 14:30:23", project: "demo-proj"))
        let plain = try ReflectionText.stored(RecordedTexts.storedWithoutProject)
        #expect(plain.project == nil)
        #expect(plain.tags == ["refurb", "FURB118"])
        #expect(try ReflectionText.stored(RecordedTexts.storedMultiline).content == "multi\nline content\n\n2. 📝 tricky")
    }

    @Test func theSourceSessionListingGivesTheIdAndCreationTime() throws {
        let rows = try ReflectionText.sourceRows(RecordedTexts.sourceSession)
        #expect(rows == [ReflectionText.SourceRow(id: "01a241773f47769c91ca87be6189f3e0", createdAt: "2026-12-04T14:31:03.751706",
                                                  content: "mypy arg-type error in api/handlers.py", project: "demo-proj")])
    }

    @Test func conceptSearchResultsAreRead() throws {
        #expect(try ReflectionText.found(RecordedTexts.conceptOne)
            == [ReflectionText.Found(content: "ruff F401 unused import os in pkg/util.py keeps coming back", project: "demo-proj",
                                     score: nil, date: nil, files: [])])
        #expect(try ReflectionText.found(RecordedTexts.conceptCachedNoProject).first?.project == nil)
        #expect(try ReflectionText.found(RecordedTexts.conceptMultiline).map(\.content) == ["multi\nline content\n\n2. 📝 tricky"])
        #expect(try ReflectionText.found(RecordedTexts.conceptNone).isEmpty)
    }

    @Test func aResultWithEveryFieldSessionBuddyMayPrintIsRead() throws {
        // The fields session-buddy's formatter writes when its adapter fills them (score, date, files).
        let text = RecordedTexts.conceptOne.replacingOccurrences(of: "Found 1 related", with: "Found 2 related")
            + "\n   ⭐ Relevance: 0.83\n   📅 Date: 2026-12-04T14:30:23\n   📄 Files: a.py, b.py\n\n2. 📝 second\nwith two lines"
        let found = try ReflectionText.found(text)
        #expect(found.count == 2)
        #expect(found[0].score == 0.83)
        #expect(found[0].date == "2026-12-04T14:30:23")
        #expect(found[0].files == ["a.py", "b.py"])
        #expect(found[0].project == "demo-proj")
        #expect(found[1].content == "second\nwith two lines")
    }

    @Test func statsAreRead() throws {
        let stats = try ReflectionText.stats(RecordedTexts.stats)
        #expect(stats.totalReflections == 2)
        #expect(stats.projects == 1)
        #expect(stats.databaseHealth == "healthy")
    }

    @Test func contentIsShownAsSessionBuddyCutsIt() {
        #expect(ReflectionText.shown("short", limit: 250) == "short")
        let long = String(repeating: "é", count: 251)
        #expect(ReflectionText.shown(long, limit: 250) == String(repeating: "é", count: 247) + "...")
        #expect(ReflectionText.shown(String(repeating: "x", count: 250), limit: 250).count == 250)
    }

    @Test func failuresAndUnknownTextsAreErrorsQuotingTheText() {
        #expect(throws: ReflectionTextError.rejected(tool: "store_reflection", text: RecordedTexts.validationProject)) {
            try ReflectionText.stored(RecordedTexts.validationProject)
        }
        #expect(throws: ReflectionTextError.rejected(tool: "store_reflection", text: RecordedTexts.validationEmpty)) {
            try ReflectionText.stored(RecordedTexts.validationEmpty)
        }
        // Another tool's answer, a changed header, a count that does not match: errors, not empty answers.
        do {
            _ = try ReflectionText.found(RecordedTexts.quickSearch)
            Issue.record("a quick_search text was read as a concept search")
        } catch {
            #expect(error.description.contains("🔍 Quick search for"), "\(error)")
            #expect(error.description.contains("expected '🧠 Searching for concept: …' first"), "\(error)")
        }
        let miscounted = RecordedTexts.conceptOne.replacingOccurrences(of: "Found 1 related", with: "Found 3 related")
        #expect(throws: ReflectionTextError.self) { try ReflectionText.found(miscounted) }
        #expect(throws: ReflectionTextError.self) { try ReflectionText.stats("📊 Reflection Database Statistics\n====\n📈 Total reflections: many") }
        #expect(throws: ReflectionTextError.self) { try ReflectionText.sourceRows(RecordedTexts.sourceSession.replacingOccurrences(of: "Found 1", with: "Found 2")) }
        #expect(throws: ReflectionTextError.unavailable(tool: "reflection_stats", text: "Reflection tools not available. Install dependencies: uv sync --extra embeddings")) {
            try ReflectionText.stats("Reflection tools not available. Install dependencies: uv sync --extra embeddings")
        }
    }
}
