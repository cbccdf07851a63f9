import Synchronization

/// Interns method names to small integers so a call site finds a candidate's
/// method index by comparing integers, never strings, on the hot path.
enum MethodNameTable {
    private static let ids = Mutex<[String: Int]>([:])

    /// The id of `name`, assigned on first use.
    static func id(for name: String) -> Int {
        ids.withLock { table in
            if let id = table[name] { return id }
            let id = table.count
            table[name] = id
            return id
        }
    }
}
