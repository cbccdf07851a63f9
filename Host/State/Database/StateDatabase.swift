import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The host's SQLite state: one file, `<state>/state.sqlite` (mode 0600), in
/// WAL mode, shared by the stores (key-value, events, pins, score history,
/// the durable journal). Opening it applies the schema migrations.
///
/// Every commit is synced (`synchronous = FULL`): what a store says it wrote
/// survives a `kill -9` of the host and a power cut alike.
public final class StateDatabase: Sendable {
    /// The database file's name inside the state directory.
    public static let fileName = "state.sqlite"

    /// The database file.
    public let path: String
    let pool: DatabasePool

    /// Opens (creating when absent) the database at `path` and migrates it to
    /// the current schema. Throws a `StateError` naming the file when it cannot
    /// be created or opened, or is not an SQLite database.
    public init(path: String) throws(StateError) {
        self.path = path
        try Self.prepareFile(at: path)
        var configuration = Configuration()
        configuration.label = "caphost-state"
        // Another connection (a second host on the same file, or a reader) may hold
        // the write lock briefly; wait rather than fail.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StateError.wrapping(error, "open the state database", path: path)
        }
        do {
            try StateSchema.migrator.migrate(pool)
        } catch {
            throw StateError.wrapping(error, "migrate the state database", path: path)
        }
    }

    /// Opens `<stateDirectory>/state.sqlite`, creating the directory (mode 0700) when absent.
    public static func open(stateDirectory: String) throws(StateError) -> StateDatabase {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: stateDirectory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StateError(code: .cannotOpen, message: "state directory \(stateDirectory) is a file, expected a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw StateError(code: .cannotOpen, message: "cannot create state directory \(stateDirectory): \(error.localizedDescription)")
            }
        }
        return try StateDatabase(path: (stateDirectory as NSString).appendingPathComponent(fileName))
    }

    /// Creates the file with mode 0600 before SQLite does (SQLite would honour
    /// the umask, typically 0644), and tightens an existing one: the journal
    /// holds payloads. SQLite gives `-wal` and `-shm` the main file's mode.
    private static func prepareFile(at path: String) throws(StateError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw StateError(code: .cannotOpen, message: "cannot open state database \(path): \(reason)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw StateError(code: .cannotOpen, message: "state database \(path) is not a regular file")
        }
        if status.st_mode & 0o077 != 0, fchmod(descriptor, 0o600) != 0 {
            let reason = String(cString: strerror(errno))
            throw StateError(code: .cannotOpen,
                message: "state database \(path) is readable by others (mode \(String(status.st_mode & 0o777, radix: 8))) and cannot be made 0600: \(reason)")
        }
    }
}
