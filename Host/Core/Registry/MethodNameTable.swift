import Synchronization

/// Interns method names to small integers so a call site finds a candidate's
/// method index by comparing integers, never strings, on the hot path.
///
/// Only names that loaded plugins declare are interned (`id(for:)`, at
/// registration). A name that arrives from outside — a URL, an MCP tool call,
/// a workflow — is only looked up (`existingID(for:)`): a caller cannot grow the
/// table by inventing names.
enum MethodNameTable {
    private static let ids = Mutex<[String: Int]>([:])

    /// The id that matches no method: what a call site for an undeclared name holds.
    static let unknown = -1

    /// The id of `name`, assigned on first use. For names a plugin declares.
    static func id(for name: String) -> Int {
        ids.withLock { table in
            if let id = table[name] { return id }
            let id = table.count
            table[name] = id
            return id
        }
    }

    /// The id of `name` if some plugin declared it, else `unknown`. Adds nothing.
    static func existingID(for name: String) -> Int {
        ids.withLock { $0[name] } ?? unknown
    }

    /// How many names are interned (for tests and metrics).
    static var count: Int { ids.withLock { $0.count } }
}
