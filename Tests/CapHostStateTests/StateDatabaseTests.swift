import CapHostState
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The database file: created private, reopened as it was, refused clearly when it is not a database.
@Suite struct StateDatabaseTests {
    @Test func createsThePrivateFileInAPrivateDirectoryAndReopensIt() throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let database = try directory.open()
        #expect(database.path == directory.path + "/state/state.sqlite")
        var status = stat()
        #expect(stat(database.path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(stat(directory.path + "/state", &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700)
        let store = SQLiteKeyValueStore(database: database)
        try store.store(plugin: "p", key: Array("k".utf8), value: Array("v".utf8))
        // WAL mode: the write-ahead log exists beside the file, just as private.
        #expect(stat(database.path + "-wal", &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)

        let reopened = try directory.open()
        #expect(try SQLiteKeyValueStore(database: reopened).value(plugin: "p", key: Array("k".utf8)) == Array("v".utf8))
    }

    @Test func tightensAnExistingFileThatOthersCouldRead() throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let path = directory.file("loose.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try StateDatabase(path: path)
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
    }

    @Test func aFileThatIsNotADatabaseIsRefusedNamingIt() throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let path = directory.file("state.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try StateDatabase(path: path)
        } throws: { error in
            let error = try #require(error as? StateError)
            return error.code == .notADatabase
                && error.message.hasPrefix("\(path) is not a usable SQLite database: file is not a database")
                && error.message.contains("move the file aside")
        }
    }

    @Test func aStateDirectoryThatIsAFileIsRefused() throws {
        let directory = try TemporaryFolder("state-test")
        defer { directory.remove() }
        let path = directory.file("state")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        #expect {
            _ = try StateDatabase.open(stateDirectory: path)
        } throws: { error in
            let error = try #require(error as? StateError)
            return error.code == .cannotOpen && error.message == "state directory \(path) is a file, expected a directory"
        }
    }
}
