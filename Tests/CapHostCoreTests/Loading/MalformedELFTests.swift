@testable import CapHostCore
import CapHostTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §8: the ELF checks read untrusted bytes in the host process, before the
/// probe. A corpus of crafted headers (offsets near UInt64.max, tables past the
/// end, a dynamic section or string table out of range, truncation at every
/// header boundary) and 2 000 seeded mutations of a real header each end in a
/// `PluginLoadError` naming the file and the check — in the inspector, in a
/// serving host's plugins.d, and in `caphost check` — never in a trap.
@Suite(.serialized) struct MalformedELFTests {
    /// One crafted file: its bytes and a phrase of the message it must get.
    struct Specimen: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let expected: String
        var testDescription: String { name }
    }

    /// The fields of a well-formed shared object that the corpus rewrites.
    struct Layout {
        var bytes: [UInt8]
        var phoff: Int { Int(read64(32)) }
        var phnum: Int { Int(read16(56)) }
        var shoff: Int { Int(read64(40)) }
        func programHeader(_ index: Int) -> Int { phoff + index * 56 }
        func firstProgramHeader(ofType type: UInt32) -> Int {
            (0..<phnum).first { read32(programHeader($0)) == type }!
        }
        /// Offsets of the dynamic section's entries with tag `tag`.
        func dynamicEntries(tag: UInt64) -> [Int] {
            let header = programHeader(firstProgramHeader(ofType: 2))
            let start = Int(read64(header + 8)), size = Int(read64(header + 32))
            return stride(from: start, to: start + size, by: 16).filter { read64($0) == tag }
        }
        func read16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func read32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        func read64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }
        func writing16(_ value: UInt16, at: Int) -> [UInt8] { writing(UInt64(value), at: at, width: 2) }
        func writing64(_ value: UInt64, at: Int) -> [UInt8] { writing(value, at: at, width: 8) }
        func writing(_ value: UInt64, at: Int, width: Int) -> [UInt8] {
            var copy = bytes
            for index in 0..<width { copy[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
            return copy
        }
    }

    static func goodLayout() throws -> Layout {
        Layout(bytes: try Array(Data(contentsOf: URL(fileURLWithPath: try FixturePlugins.build("noop.c")))))
    }

    /// Crafted headers, each breaking one bound the checks must enforce.
    static func corpus() throws -> [Specimen] {
        let good = try goodLayout()
        let size = UInt64(good.bytes.count)
        let load = good.programHeader(good.firstProgramHeader(ofType: 1))
        let dynamic = good.programHeader(good.firstProgramHeader(ofType: 2))
        let needed = good.dynamicEntries(tag: 1)
        let stringTable = good.dynamicEntries(tag: 5)[0]
        let stringTableSize = good.dynamicEntries(tag: 10)[0]
        var header = good.writing64(UInt64.max - 7, at: 32)
        header.removeSubrange(64...)
        return [
            Specimen(name: "a 64-byte header whose e_phoff is near UInt64.max", bytes: header,
                     expected: "program headers (e_phoff) (\(good.phnum) × 56 bytes): offset 18446744073709551608 + size \(good.phnum * 56) overflows 64 bits"),
            Specimen(name: "e_phoff at the end of the file", bytes: good.writing64(size, at: 32),
                     expected: "truncated or corrupt: program headers (e_phoff) (\(good.phnum) × 56 bytes) spans bytes \(size)..<"),
            Specimen(name: "e_shoff near UInt64.max", bytes: good.writing64(UInt64.max - 9, at: 40),
                     expected: "section headers (e_shoff)"),
            Specimen(name: "e_phnum 0xFFFF", bytes: good.writing16(0xFFFF, at: 56),
                     expected: "e_phnum is 65535, more than the limit of 256 program headers"),
            Specimen(name: "e_phentsize 0xFFFF", bytes: good.writing16(0xFFFF, at: 54),
                     expected: "e_phentsize is 65535, expected 56 (the size of an ELF64 program header)"),
            Specimen(name: "e_shentsize 0xFFFF", bytes: good.writing16(0xFFFF, at: 58),
                     expected: "e_shentsize is 65535, expected 64"),
            Specimen(name: "e_shnum 0xFFFF", bytes: good.writing16(0xFFFF, at: 60),
                     expected: "section headers (e_shoff) (65535 × 64 bytes) spans bytes"),
            Specimen(name: "PT_LOAD offset + size overflows", bytes: good.writing64(UInt64.max - 15, at: load + 8),
                     expected: "(PT_LOAD): offset 18446744073709551600 + size"),
            Specimen(name: "PT_DYNAMIC offset near UInt64.max", bytes: good.writing64(UInt64.max - 3, at: dynamic + 8),
                     expected: "(PT_DYNAMIC): offset 18446744073709551612 + size"),
            Specimen(name: "PT_DYNAMIC size past the end", bytes: good.writing64(1 << 40, at: dynamic + 32),
                     expected: "(PT_DYNAMIC) spans bytes"),
            Specimen(name: "DT_NEEDED name offset UInt64.max", bytes: good.writing64(UInt64.max, at: needed[0] + 8),
                     expected: "DT_NEEDED name offset 18446744073709551615 is outside the string table"),
            Specimen(name: "DT_STRTAB address in no segment", bytes: good.writing64(0xFFFF_FFFF_FFFF_FF00, at: stringTable + 8),
                     expected: "DT_STRTAB address 0xFFFFFFFFFFFFFF00 is in no PT_LOAD segment of the file"),
            Specimen(name: "DT_STRSZ near UInt64.max", bytes: good.writing64(UInt64.max - 1, at: stringTableSize + 8),
                     expected: "the string table (DT_STRTAB at file offset"),
        ]
    }

    /// The good file cut at every header boundary (and just inside each).
    static func truncations() throws -> [Int] {
        let good = try goodLayout()
        let dynamicHeader = good.programHeader(good.firstProgramHeader(ofType: 2))
        let dynamic = Int(good.read64(dynamicHeader + 8))
        var lengths = [0, 1, 3, 4, 5, 16, 20, 32, 40, 54, 63, 64]
        for index in 0...good.phnum { lengths += [good.programHeader(index) - 1, good.programHeader(index)] }
        lengths += [dynamic, dynamic + 16, good.shoff, good.shoff + 64, good.bytes.count - 1]
        return lengths.filter { $0 < good.bytes.count }
    }

    static func inspect(_ bytes: [UInt8], as file: String) -> Result<[String], PluginLoadError> {
        do throws(PluginLoadError) {
            return .success(try ELFImage(file: file, bytes: bytes).neededLibraries())
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: try corpus())
    func eachCraftedHeaderIsRefusedWithTheBoundItBreaks(_ specimen: Specimen) throws {
        guard case .failure(let error) = Self.inspect(specimen.bytes, as: "crafted.so") else {
            Issue.record("\(specimen.name) was accepted")
            return
        }
        #expect(error.file == "crafted.so" && error.check == .elf)
        #expect(error.detail.contains(specimen.expected), "\(specimen.name): \(error.detail)")
    }

    @Test func aFileCutAtEveryHeaderBoundaryIsRefusedAsTruncated() throws {
        let good = try Self.goodLayout()
        #expect(try Self.inspect(good.bytes, as: "good.so").get().contains { $0.hasPrefix("libc.so") })
        for length in try Self.truncations() {
            guard case .failure(let error) = Self.inspect(Array(good.bytes.prefix(length)), as: "cut.so") else {
                Issue.record("cut at \(length) bytes was accepted")
                continue
            }
            let expected = length < 4 ? "not an ELF file" : "truncated"
            #expect(error.check == .elf && error.detail.contains(expected), "cut at \(length): \(error.detail)")
        }
    }

    /// 2 000 seeded mutations of a real shared object's ELF header, program
    /// headers and dynamic section: each is accepted or refused with an ELF
    /// error — the process surviving the loop is the point.
    @Test func twoThousandSeededMutationsOfARealHeaderNeverCrash() throws {
        let good = try Self.goodLayout()
        let dynamicHeader = good.programHeader(good.firstProgramHeader(ofType: 2))
        let dynamic = Int(good.read64(dynamicHeader + 8))
        let regions = [24..<64, good.phoff..<good.programHeader(good.phnum),
                       dynamic..<dynamic + Int(good.read64(dynamicHeader + 32))]
        let extremes: [UInt64] = [0, 1, 55, 56, 0xFFFF, UInt64(good.bytes.count), UInt64(good.bytes.count) + 1,
                                  UInt64(Int.max), UInt64.max - 63, UInt64.max]
        var random = SeededGenerator(seed: 0xC0FFEE)
        var refused = 0, accepted = 0
        for _ in 0..<2_000 {
            var bytes = good.bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let region = regions.randomElement(using: &random)!
                let at = Int.random(in: region, using: &random)
                if Bool.random(using: &random), at + 8 <= bytes.count {
                    let value = extremes.randomElement(using: &random)!
                    for index in 0..<8 { bytes[at + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
                } else {
                    bytes[at] = UInt8.random(in: 0...255, using: &random)
                }
            }
            if Bool.random(using: &random) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &random)) }
            switch Self.inspect(bytes, as: "mutant.so") {
            case .success: accepted += 1
            case .failure(let error):
                #expect(error.file == "mutant.so" && error.check == .elf && !error.detail.isEmpty)
                refused += 1
            }
        }
        #expect(refused + accepted == 2_000)
        #expect(refused > 500, "most mutations break a bound (\(refused) refused)")
    }

    @Test func aServingHostRefusesEveryCraftedFileInPluginsDAndKeepsServing() async throws {
        try await TestHost.with { test in
            try await test.load("noop.c", as: "good.so", defines: providerDefines(name: "good", provider: "good"))
            let corpus = try Self.corpus()
            var files: [String: Specimen] = [:]
            for (index, specimen) in corpus.enumerated() {
                let path = "\(test.pluginsDirectory)/crafted-\(index).so"
                try Data(specimen.bytes).write(to: URL(fileURLWithPath: path))
                chmod(path, 0o755)
                files[path] = specimen
            }
            await test.host.rescan()
            for (file, specimen) in files.sorted(by: { $0.key < $1.key }) {
                let report = test.host.plugin(file: file)
                #expect(report?.state == .failed, "\(specimen.name)")
                #expect(report?.error?.file == file && report?.error?.check == .elf, "\(specimen.name): \(report?.error?.description ?? "no report")")
                #expect(report?.error?.detail.contains(specimen.expected) == true, "\(specimen.name): \(report?.error?.description ?? "no report")")
            }
            let response = try await test.host.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "bench")), method: "version", payload: [])
            #expect(response.body.text.contains("\"provider\":\"good\""))
        }
    }

    @Test func caphostCheckReportsACraftedFileAndExitsOne() throws {
        let directoryFolder = try TemporaryFolder("elf")
        defer { directoryFolder.remove() }
        let directory = directoryFolder.path
        for (index, specimen) in try Self.corpus().enumerated() {
            let path = "\(directory)/crafted-\(index).so"
            try Data(specimen.bytes).write(to: URL(fileURLWithPath: path))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: FixturePlugins.buildProductsDirectory + "/caphost")
            process.arguments = ["check", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(specimen.name): \(output)")
            #expect(output.contains("FAIL: elf: "), "\(specimen.name): \(output)")
            #expect(output.contains(specimen.expected), "\(specimen.name): \(output)")
        }
    }
}
