/// Overflow-checked arithmetic on offsets and sizes read from an untrusted
/// file: `offset + size` and `count × entrySize` are computed with
/// `addingReportingOverflow` / `multipliedReportingOverflow` and checked
/// against the file's size before anything is read, so a hostile header
/// yields a `PluginLoadError` naming the field, what was expected and what
/// was found — never an arithmetic trap in the host.
struct ELFBounds {
    let file: String
    /// The file's size in bytes.
    let size: UInt64

    /// The byte range `offset ..< offset + size` of `what`, if it lies inside the file.
    func range(_ what: String, offset: UInt64, size length: UInt64) throws(PluginLoadError) -> Range<Int> {
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow else {
            throw fail("\(what): offset \(offset) + size \(length) overflows 64 bits; expected an end within the file's \(size) bytes")
        }
        guard end <= size else {
            throw fail("truncated or corrupt: \(what) spans bytes \(offset)..<\(end), past the end of the file (\(size) bytes)")
        }
        return Int(offset)..<Int(end)
    }

    /// The byte range of a table of `count` entries of `entrySize` bytes at `offset`.
    func table(_ what: String, offset: UInt64, count: UInt64, entrySize: UInt64) throws(PluginLoadError) -> Range<Int> {
        let (length, overflow) = count.multipliedReportingOverflow(by: entrySize)
        guard !overflow else {
            throw fail("\(what): \(count) entries × \(entrySize) bytes overflows 64 bits; expected a table within the file's \(size) bytes")
        }
        return try range("\(what) (\(count) × \(entrySize) bytes)", offset: offset, size: length)
    }

    private func fail(_ detail: String) -> PluginLoadError {
        PluginLoadError(file: file, check: .elf, detail: detail)
    }
}
