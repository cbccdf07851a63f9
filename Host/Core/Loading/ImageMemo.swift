import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an earlier start learned about a plugin file — its SHA-256, the libraries it
/// needs and the image-store copy made of it — kept at `<state>/loaded/memo/<dev>-<ino>.json`
/// so that a restart over unchanged plugins reads, hashes and compares none of their
/// bytes (git's index does the same for the work tree).
///
/// An entry is used only while the file's device, inode, size, mode, owner and
/// modification and change times are what they were when its bytes were read, and the
/// copy's are what they were once it was on disk: a rewrite, a rename over it, a
/// `chmod` or a touched copy reads the file again. Two rules keep a stale entry from
/// being trusted:
/// - a file changed shortly before it was read is not remembered, since a second write
///   within one timestamp tick would leave its times unchanged: 100 ms where the file
///   system keeps sub-second times (their tick is a few milliseconds), 2 s where it keeps
///   whole seconds (FAT's tick is 2 s);
/// - an entry is written only after the copy is fsynced, so a copy a power cut tore is
///   never vouched for.
/// The fsync and the write run on a background queue, off a start's critical path.
struct ImageMemo: Sendable {
    let store: ContentAddressedStore

    init(store: ContentAddressedStore) {
        self.store = store
    }

    var directory: String { (store.directory as NSString).appendingPathComponent("memo") }

    /// One remembered file.
    struct Entry: Codable, Sendable {
        let source: FileIdentity
        let digest: String
        let neededLibraries: [String]
        let copy: FileIdentity
    }

    /// What the entry for `file` says, when the file and its copy are unchanged since.
    func entry(for file: OpenedPluginFile) -> Entry? {
        let source = FileIdentity(file.info)
        guard let data = FileManager.default.contents(atPath: path(for: source)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              entry.source == source,
              FileIdentity(regularFileAt: store.imagePath(digest: entry.digest)) == entry.copy else { return nil }
        return entry
    }

    /// Remembers `digest` and `neededLibraries` for the version of `file` that was read,
    /// once its copy is on disk. `readStarted` is the wall-clock time the read began; a file
    /// changed shortly before it, or while it was read, is not remembered.
    func remember(_ file: OpenedPluginFile, readStarted: timespec, digest: String, neededLibraries: [String]) {
        let before = FileIdentity(file.info)
        var after = stat()
        guard fstat(file.descriptor, &after) == 0, FileIdentity(after) == before else { return }
        let wholeSeconds = file.info.st_mtim.tv_nsec == 0 && file.info.st_ctim.tv_nsec == 0
        let settle: Int64 = wholeSeconds ? 2_000_000_000 : 100_000_000
        let settled = Int64(readStarted.tv_sec) * 1_000_000_000 + Int64(readStarted.tv_nsec) - settle
        guard before.modifiedNanoseconds < settled, before.changedNanoseconds < settled else { return }
        let copyPath = store.imagePath(digest: digest)
        let target = path(for: before)
        let directory = self.directory
        Self.queue.async {
            let descriptor = open(copyPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            defer { close(descriptor) }
            var info = stat()
            guard fsync(descriptor) == 0, fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                  let data = try? JSONEncoder().encode(Entry(source: before, digest: digest, neededLibraries: neededLibraries,
                                                             copy: FileIdentity(info))) else { return }
            // Not with intermediate folders: a state folder deleted meanwhile stays deleted.
            mkdir(directory, 0o700)
            let temporary = target + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
            if rename(temporary, target) != 0 { unlink(temporary) }
        }
    }

    private static let queue = DispatchQueue(label: "caphost.image-memo", qos: .utility)

    private func path(for source: FileIdentity) -> String {
        (directory as NSString).appendingPathComponent("\(source.device)-\(source.inode).json")
    }
}
