/// A read-only view of an ELF shared object's headers, enough to check that it
/// is a complete 64-bit little-endian `ET_DYN` for this machine and to list its
/// `DT_NEEDED` libraries.
///
/// Every byte it reads comes from an untrusted file, in the host process, before
/// the probe: every offset, size and count is checked against the file's size
/// with overflow-checked arithmetic (`ELFBounds`) before it is used, so a hostile
/// header ends in a `PluginLoadError`, never in a trap. `Bytes` is the file's bytes,
/// indexed from 0: an array read from it, or a mapping of the host's private copy.
package struct ELFImage<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
    static var headerSize: Int { 64 }
    static var programHeaderSize: UInt64 { 56 }
    static var sectionHeaderSize: UInt64 { 64 }
    static var dynamicEntrySize: UInt64 { 16 }
    /// Most program headers accepted (a shared object has about ten; 0xFFFF is PN_XNUM).
    static var maxProgramHeaders: UInt64 { 256 }
    /// Most `DT_NEEDED` entries accepted.
    static var maxNeededLibraries: Int { 1024 }
    /// Longest `DT_NEEDED` name accepted, in bytes.
    static var maxLibraryNameLength: Int { 4096 }

    let file: String
    let bytes: Bytes
    private let bounds: ELFBounds
    private let programHeaders: [ProgramHeader]

    struct ProgramHeader {
        let type: UInt32
        let offset: UInt64
        let virtualAddress: UInt64
        let fileSize: UInt64
    }

    /// Checks the ELF header and reads the program headers of `bytes`, refusals naming `file`.
    package init(file: String, bytes: Bytes) throws(PluginLoadError) {
        self.file = file
        self.bytes = bytes
        let bounds = ELFBounds(file: file, size: UInt64(bytes.count))
        self.bounds = bounds
        func fail(_ detail: String) -> PluginLoadError { PluginLoadError(file: file, check: .elf, detail: detail) }

        let magic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else {
            let start = bytes.prefix(4).map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined(separator: " ")
            throw fail("not an ELF file (starts with \(start.isEmpty ? "nothing: the file is empty" : start); expected 7F 45 4C 46)")
        }
        guard bytes.count >= Self.headerSize else {
            throw fail("truncated: \(bytes.count) bytes, smaller than a 64-bit ELF header (\(Self.headerSize) bytes)")
        }
        guard bytes[4] == 2 else { throw fail("ELF class \(bytes[4]) (\(bytes[4] == 1 ? "32-bit" : "unknown")), expected 2 (64-bit)") }
        guard bytes[5] == 1 else { throw fail("ELF data encoding \(bytes[5]) (big-endian or unknown), expected 1 (little-endian)") }
        let type = Self.u16(bytes, 16)
        let machine = Self.u16(bytes, 18)
        guard machine == ELFMachine.host else {
            throw fail("built for \(ELFMachine.name(machine)) (e_machine \(machine)), this host is \(ELFMachine.name(ELFMachine.host)) (e_machine \(ELFMachine.host))")
        }
        guard type == 3 else {
            throw fail("e_type is \(type) (\(type == 2 ? "an executable" : type == 1 ? "a relocatable object" : "not a shared object")), expected 3 (a shared object built with -shared)")
        }
        let phoff = Self.u64(bytes, 32), shoff = Self.u64(bytes, 40)
        let phentsize = UInt64(Self.u16(bytes, 54)), phnum = UInt64(Self.u16(bytes, 56))
        let shentsize = UInt64(Self.u16(bytes, 58)), shnum = UInt64(Self.u16(bytes, 60))
        guard phnum > 0 else { throw fail("has no program headers (e_phnum 0): not a loadable shared object") }
        guard phnum <= Self.maxProgramHeaders else {
            throw fail("e_phnum is \(phnum), more than the limit of \(Self.maxProgramHeaders) program headers")
        }
        guard phentsize == Self.programHeaderSize else {
            throw fail("e_phentsize is \(phentsize), expected \(Self.programHeaderSize) (the size of an ELF64 program header)")
        }
        let programTable = try bounds.table("program headers (e_phoff)", offset: phoff, count: phnum, entrySize: phentsize)
        if shoff != 0 && shnum != 0 {
            guard shentsize == Self.sectionHeaderSize else {
                throw fail("e_shentsize is \(shentsize), expected \(Self.sectionHeaderSize) (the size of an ELF64 section header)")
            }
            _ = try bounds.table("section headers (e_shoff)", offset: shoff, count: shnum, entrySize: shentsize)
        }
        var headers: [ProgramHeader] = []
        for index in 0..<Int(phnum) {
            let at = programTable.lowerBound + index * Int(Self.programHeaderSize)
            let header = ProgramHeader(
                type: Self.u32(bytes, at), offset: Self.u64(bytes, at + 8),
                virtualAddress: Self.u64(bytes, at + 16), fileSize: Self.u64(bytes, at + 32))
            if header.type == 1 || header.type == 2 {  // PT_LOAD, PT_DYNAMIC
                _ = try bounds.range("segment \(index) (\(header.type == 1 ? "PT_LOAD" : "PT_DYNAMIC"))",
                                     offset: header.offset, size: header.fileSize)
            }
            headers.append(header)
        }
        self.programHeaders = headers
    }

    /// The `DT_NEEDED` names from the dynamic section.
    package func neededLibraries() throws(PluginLoadError) -> [String] {
        func fail(_ detail: String) -> PluginLoadError { PluginLoadError(file: file, check: .elf, detail: detail) }
        guard let dynamic = programHeaders.first(where: { $0.type == 2 }) else {
            throw fail("has no PT_DYNAMIC segment: not a dynamically loadable shared object")
        }
        let section = try bounds.range("the dynamic section (PT_DYNAMIC)", offset: dynamic.offset, size: dynamic.fileSize)
        var neededOffsets: [UInt64] = []
        var stringTableAddress: UInt64?
        var stringTableSize: UInt64?
        var at = section.lowerBound
        while at + Int(Self.dynamicEntrySize) <= section.upperBound {
            let tag = Self.u64(bytes, at), value = Self.u64(bytes, at + 8)
            if tag == 0 { break }  // DT_NULL
            if tag == 1 {  // DT_NEEDED
                guard neededOffsets.count < Self.maxNeededLibraries else {
                    throw fail("has more than \(Self.maxNeededLibraries) DT_NEEDED entries")
                }
                neededOffsets.append(value)
            }
            if tag == 5 { stringTableAddress = value }  // DT_STRTAB
            if tag == 10 { stringTableSize = value }  // DT_STRSZ
            at += Int(Self.dynamicEntrySize)
        }
        guard !neededOffsets.isEmpty else { return [] }
        guard let stringTableAddress else {
            throw fail("has \(neededOffsets.count) DT_NEEDED entries but no DT_STRTAB to name them")
        }
        guard let tableOffset = fileOffset(ofAddress: stringTableAddress) else {
            throw fail("DT_STRTAB address 0x\(Self.hex(stringTableAddress)) is in no PT_LOAD segment of the file")
        }
        // Without DT_STRSZ the table runs to the end of the file (tableOffset is inside it).
        let table = try bounds.range("the string table (DT_STRTAB at file offset \(tableOffset))", offset: tableOffset,
                                     size: stringTableSize ?? (UInt64(bytes.count) - tableOffset))
        return try neededOffsets.map { offset throws(PluginLoadError) -> String in
            guard offset < UInt64(table.count) else {
                throw fail("DT_NEEDED name offset \(offset) is outside the string table (\(table.count) bytes at file offset \(table.lowerBound))")
            }
            let start = table.lowerBound + Int(offset)
            let limit = min(table.upperBound, start + Self.maxLibraryNameLength)
            guard let stop = bytes[start..<limit].firstIndex(of: 0) else {
                throw fail("DT_NEEDED name at string-table offset \(offset) has no terminating NUL within \(limit - start) bytes")
            }
            return String(decoding: bytes[start..<stop], as: UTF8.self)
        }
    }

    /// The file offset of a virtual `address` inside a `PT_LOAD` segment's file bytes.
    private func fileOffset(ofAddress address: UInt64) -> UInt64? {
        for header in programHeaders where header.type == 1 {
            // `address - virtualAddress` only once `address >= virtualAddress`; the
            // segment's offset + size was checked against the file in init.
            guard address >= header.virtualAddress else { continue }
            let delta = address - header.virtualAddress
            if delta < header.fileSize { return header.offset + delta }
        }
        return nil
    }

    static func hex(_ value: UInt64) -> String { String(value, radix: 16, uppercase: true) }
    static func u16(_ b: Bytes, _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    static func u32(_ b: Bytes, _ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * $1) } }
    static func u64(_ b: Bytes, _ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * $1) } }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
