import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private folder (mode 0700) under the temporary directory for one test:
/// plugins, state, records. `remove()` deletes it; so does the last reference
/// going away, so a test that throws leaves nothing behind.
public final class TemporaryFolder: Sendable {
    public let path: String

    /// Creates `<tmp>/caphost-<label>-<random>`.
    public init(_ label: String = "test") throws {
        let path = NSTemporaryDirectory() + "caphost-\(label)-\(UUID().uuidString.prefix(8))"
        guard mkdir(path, 0o700) == 0 else { throw FixtureError("mkdir \(path): \(String(cString: strerror(errno)))") }
        self.path = path
    }

    /// A path in the folder (nothing is created).
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates the folder `name` (and its parents) with `mode` and returns its path.
    @discardableResult
    public func folder(_ name: String, mode: Int = 0o755) throws -> String {
        let folder = file(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: mode])
        return folder
    }

    /// Writes `text` to `name` (a relative path; folders are created) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    deinit { remove() }
}
