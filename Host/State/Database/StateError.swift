import GRDB

/// Why the state database could not do something: a stable code, and a
/// message for the operator that names the file and the operation.
public struct StateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The file or its directory cannot be created, opened or locked.
        case cannotOpen = "state_cannot_open"
        /// The file exists but is not an SQLite database (or is damaged).
        case notADatabase = "state_not_a_database"
        /// A read or write failed on an open database (disk full, I/O error, busy too long).
        case storageFailed = "state_storage_failed"
        /// What the database holds cannot be read back (written by a newer caphost?).
        case unreadable = "state_unreadable"
    }

    public let code: Code
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Wraps an error thrown while `operation` ran on the database at `path`.
    static func wrapping(_ error: any Error, _ operation: String, path: String) -> StateError {
        if let error = error as? StateError { return error }
        guard let database = error as? DatabaseError else {
            return StateError(code: .storageFailed, message: "\(operation) in \(path) failed: \(error)")
        }
        let reason = "\(database.message ?? "SQLite error") (SQLite code \(database.extendedResultCode.rawValue))"
        switch database.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StateError(code: .notADatabase,
                message: "\(path) is not a usable SQLite database: \(reason) while trying to \(operation); move the file aside (caphost creates a new one) or point the state directory elsewhere")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
            return StateError(code: .cannotOpen,
                message: "cannot \(operation) in \(path): \(reason); check that the state directory exists and belongs to this user")
        default:
            return StateError(code: .storageFailed, message: "cannot \(operation) in \(path): \(reason)")
        }
    }
}
