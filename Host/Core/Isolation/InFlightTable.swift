import CCapHostSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The host's crash-safe record of whose plugin code each thread is running:
/// `<state>/inflight`, a file mapped `MAP_SHARED`, so what the last stores said survives the
/// process being killed (the kernel keeps the pages). A call costs two stores into the
/// calling thread's slot (`caphost_inflight_enter` / `_exit`). At the next start, a slot
/// still set names the plugin that was running when the host died — unless the host
/// stopped cleanly (then calls it abandoned are not a crash).
///
/// Layout: a 64-byte header (magic, version, slot count, name count, clean flag), then
/// `CAPHOST_INFLIGHT_SLOTS` UInt32 slots (0 = no plugin code; n = the plugin numbered n),
/// then 1024 names of 256 bytes ("stem\tname version", NUL-terminated).
final class InFlightTable: @unchecked Sendable {
    /// A plugin whose code was running when the host died.
    struct Survivor: Sendable, Hashable {
        /// Its file's stem (`libfoo`).
        let stem: String
        /// "name version" from its descriptor.
        let plugin: String
        /// Threads that were in its code.
        let threads: Int
    }

    /// Marks a table this code wrote (checked with `version` before a table is read).
    static let magic: UInt64 = 0x544C_4E49_464E_4943
    static let version: UInt32 = 1
    static let headerBytes = 64
    static let slotCount = Int(CAPHOST_INFLIGHT_SLOTS)
    static let nameCount = 1024
    static let nameBytes = 256
    static var fileBytes: Int { headerBytes + slotCount * 4 + nameCount * nameBytes }

    let path: String
    /// The slots the call path writes; nil when the table could not be mapped.
    let slots: UnsafeMutablePointer<UInt32>?
    private let base: UnsafeMutableRawPointer?
    /// What the previous run left: the plugins running when it died.
    let survivors: [Survivor]
    private let numbers = Mutex<[String: UInt32]>([:])

    init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("inflight")
        try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            (slots, base, survivors) = (nil, nil, [])
            return
        }
        defer { close(fd) }
        var survivors: [Survivor] = []
        var status = stat()
        if fstat(fd, &status) == 0, Int(status.st_size) == Self.fileBytes,
           let previous = mmap(nil, Self.fileBytes, PROT_READ, MAP_SHARED, fd, 0), previous != MAP_FAILED {
            survivors = Self.survivors(in: previous)
            munmap(previous, Self.fileBytes)
        }
        self.survivors = survivors
        guard ftruncate(fd, off_t(Self.fileBytes)) == 0,
              let mapped = mmap(nil, Self.fileBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            (slots, base) = (nil, nil)
            return
        }
        // A fresh table for this run (clean = 0 until a clean stop).
        memset(mapped, 0, Self.fileBytes)
        mapped.storeBytes(of: Self.magic, toByteOffset: 0, as: UInt64.self)
        mapped.storeBytes(of: Self.version, toByteOffset: 8, as: UInt32.self)
        mapped.storeBytes(of: UInt32(Self.slotCount), toByteOffset: 12, as: UInt32.self)
        mapped.storeBytes(of: UInt32(Self.nameCount), toByteOffset: 16, as: UInt32.self)
        base = mapped
        slots = (mapped + Self.headerBytes).bindMemory(to: UInt32.self, capacity: Self.slotCount)
    }

    /// The plugins a table left by a run that did not stop cleanly was in the middle of.
    private static func survivors(in table: UnsafeRawPointer) -> [Survivor] {
        guard table.load(fromByteOffset: 0, as: UInt64.self) == magic,
              table.load(fromByteOffset: 8, as: UInt32.self) == version,
              table.load(fromByteOffset: 20, as: UInt32.self) == 0 else { return [] }
        var threads: [UInt32: Int] = [:]
        let slots = (table + headerBytes).assumingMemoryBound(to: UInt32.self)
        for index in 0..<slotCount where slots[index] != 0 && Int(slots[index]) <= nameCount {
            threads[slots[index], default: 0] += 1
        }
        return threads.keys.sorted().compactMap { number in
            let name = table + headerBytes + slotCount * 4 + (Int(number) - 1) * nameBytes
            let bytes = UnsafeRawBufferPointer(start: name, count: nameBytes)
            let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            let parts = text.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            return Survivor(stem: parts[0], plugin: parts[1], threads: threads[number] ?? 0)
        }
    }

    /// The number calls into `stem`'s in-process image record (the same for every version of
    /// the file within a run); 0 when the table is full or unmapped (then nothing is recorded).
    func number(forStem stem: String, plugin: String) -> UInt32 {
        guard let base else { return 0 }
        return numbers.withLock { numbers -> UInt32 in
            if let known = numbers[stem] { return known }
            guard numbers.count < Self.nameCount else { return 0 }
            let number = UInt32(numbers.count + 1)
            numbers[stem] = number
            let name = base + Self.headerBytes + Self.slotCount * 4 + (Int(number) - 1) * Self.nameBytes
            var text = Array("\(stem)\t\(plugin)".utf8.prefix(Self.nameBytes - 1))
            text.append(0)
            text.withUnsafeBytes { name.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            return number
        }
    }

    /// Marks a clean stop: calls still running now were abandoned by the stop, not a crash.
    func markClean() {
        base?.storeBytes(of: UInt32(1), toByteOffset: 20, as: UInt32.self)
    }
}
