import GRDB

extension StateDatabase {
    /// Runs `body` in a write transaction on the calling thread; for callers
    /// that are on threads of their own (plugin call threads, the archive's queue).
    func writeNow<T>(_ operation: String, _ body: (Database) throws -> T) throws(StateError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw StateError.wrapping(error, operation, path: path)
        }
    }

    /// Runs `body` on a read-only snapshot on the calling thread.
    func readNow<T>(_ operation: String, _ body: (Database) throws -> T) throws(StateError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StateError.wrapping(error, operation, path: path)
        }
    }

    /// Runs `body` in a write transaction on GRDB's writer queue; the task
    /// suspends meanwhile, so no cooperative thread waits on the disk.
    func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StateError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StateError.wrapping(error, operation, path: path)
        }
    }

    /// Runs `body` on a read-only snapshot on one of GRDB's reader queues.
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StateError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StateError.wrapping(error, operation, path: path)
        }
    }
}
