/// Texts the real session-buddy 0.36.0 answered in `structuredContent.result`, recorded from a
/// server in the Python 3.14 sandbox (2026-12-04). Byte for byte, emoji and line breaks included.
enum RecordedTexts {
    static let storedWithProject = "💾 Reflection stored successfully!\n📝 Content: ruff F401 unused import os in pkg/util.py keeps coming back\n🏷️ Tags: ruff, F401, pkg/util.py\n📅 Stored: 2026-12-04 14:30:23\n📁 Project: demo-proj"
    static let storedWithoutProject = "💾 Reflection stored successfully!\n📝 Content: refurb FURB118 replace lambda with operator.add\n🏷️ Tags: refurb, FURB118\n📅 Stored: 2026-12-04 14:30:23"
    static let storedMultiline = "💾 Reflection stored successfully!\n📝 Content: multi\nline content\n\n2. 📝 tricky\n🏷️ Tags: x\n📅 Stored: 2026-12-04 14:37:51"
    static let sourceSession = "📡 Reflections produced by session: 'caphost-abc123'\n==================================================\n📊 Found 1 reflection(s)\n  • id=01a241773f47769c91ca87be6189f3e0  📅 2026-12-04T14:31:03.751706\n    📝 mypy arg-type error in api/handlers.py\n    📁 Project: demo-proj"
    static let conceptOne = "🧠 Searching for concept: 'unused import'\n==================================================\n📈 Found 1 related conversations:\n\n1. 📝 ruff F401 unused import os in pkg/util.py keeps coming back\n   📁 Project: demo-proj"
    static let conceptCachedNoProject = "🧠 Searching for concept: 'import'\n==================================================\n📈 Found 1 related conversations:\n\n1. 📝 ruff F401 unused import os in pkg/util.py keeps coming back"
    static let conceptMultiline = "🧠 Searching for concept: 'line'\n==================================================\n📈 Found 1 related conversations:\n\n1. 📝 multi\nline content\n\n2. 📝 tricky"
    static let conceptNone = "🧠 Searching for concept: 'zebra giraffe'\n==================================================\n🔍 No conversations found about this concept\n💡 Try related terms or broader concepts"
    static let quickSearch = "🔍 Quick search for: 'unused import'\n📊 Found results (showing top 1)\n📝 ruff F401 unused import os in pkg/util.py keeps coming back\n📁 Project: demo-proj\n📅 Date: 2026-12-04T14:30:23.024431"
    static let stats = "📊 Reflection Database Statistics\n========================================\n📈 Total reflections: 2\n📁 Projects: 1\n\n🏥 Database health: ✅ Healthy"
    static let validationProject = "❌ Validation error: Store reflection - project must match ^[a-zA-Z0-9._-]{1,128}$"
    static let validationEmpty = "❌ Validation error: Store reflection - content cannot be empty"
}
