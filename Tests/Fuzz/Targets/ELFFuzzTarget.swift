import CapHostCore

/// `elf`: the ELF checks (`ELFImage`: header, program headers, `DT_NEEDED` names) over
/// the input as a plugin file's bytes, read both ways the host reads them: from an
/// array (`PluginFileInspector`) and from a mapping of the image store's copy
/// (`PluginIntake`), here a heap block of exactly the input's size. Both must agree.
enum ELFFuzzTarget {
    static let target = FuzzTarget(
        name: "elf",
        summary: "a plugin file's bytes, checked by ELFImage as an array and as mapped memory",
        maximumInputLength: 32 * 1024,
        dictionary: nil
    ) { input throws(FuzzFinding) in
        let fromArray = verdict(input)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: input.count, alignment: 16)
        defer { block.deallocate() }
        input.withUnsafeBytes { block.copyMemory(from: $0) }
        let fromMapping = verdict(UnsafeRawBufferPointer(block))
        guard fromArray == fromMapping else {
            throw FuzzFinding("elf", "the array and the mapping of the same bytes disagree: \(fromArray) versus \(fromMapping)")
        }
    }

    /// The needed libraries, or the refusal's text.
    private static func verdict<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> Result<[String], PluginLoadError>
    where Bytes.Element == UInt8, Bytes.Index == Int {
        do throws(PluginLoadError) {
            return .success(try ELFImage(file: "fuzz.so", bytes: bytes).neededLibraries())
        } catch {
            return .failure(error)
        }
    }
}
