/// A read-only view of an ELF shared object's headers, enough to check that it
/// is a complete 64-bit little-endian `ET_DYN` for this machine and to list its
/// `DT_NEEDED` libraries.
struct ELFImage {
    static let headerSize = 64
    static let machineX86_64: UInt16 = 62
    static let machineAArch64: UInt16 = 183

    static var hostMachine: UInt16 {
        #if arch(x86_64)
        machineX86_64
        #elseif arch(arm64)
        machineAArch64
        #else
        0
        #endif
    }

    static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case 3: "x86 (32-bit)"
        case 8: "MIPS"
        case 20: "PowerPC"
        case 21: "PowerPC64"
        case 40: "ARM (32-bit)"
        case 62: "x86-64"
        case 183: "AArch64"
        case 243: "RISC-V"
        default: "machine \(machine)"
        }
    }

    let file: String
    let bytes: [UInt8]
    private let programHeaders: [ProgramHeader]

    struct ProgramHeader {
        let type: UInt32
        let offset: UInt64
        let virtualAddress: UInt64
        let fileSize: UInt64
    }

    init(file: String, bytes: [UInt8]) throws(PluginLoadError) {
        self.file = file
        self.bytes = bytes
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
        guard machine == Self.hostMachine else {
            throw fail("built for \(Self.machineName(machine)) (e_machine \(machine)), this host is \(Self.machineName(Self.hostMachine)) (e_machine \(Self.hostMachine))")
        }
        guard type == 3 else {
            throw fail("e_type is \(type) (\(type == 2 ? "an executable" : type == 1 ? "a relocatable object" : "not a shared object")), expected 3 (a shared object built with -shared)")
        }
        let size = UInt64(bytes.count)
        let phoff = Self.u64(bytes, 32), shoff = Self.u64(bytes, 40)
        let phentsize = UInt64(Self.u16(bytes, 54)), phnum = UInt64(Self.u16(bytes, 56))
        let shentsize = UInt64(Self.u16(bytes, 58)), shnum = UInt64(Self.u16(bytes, 60))
        guard phnum > 0, phentsize >= 56 else { throw fail("has no program headers: not a loadable shared object") }
        let phEnd = phoff + phnum * phentsize
        guard phEnd <= size else {
            throw fail("truncated: program headers end at byte \(phEnd) but the file has \(size) bytes")
        }
        if shoff != 0 {
            let shEnd = shoff + shnum * shentsize
            guard shEnd <= size else {
                throw fail("truncated: section headers end at byte \(shEnd) but the file has \(size) bytes")
            }
        }
        var headers: [ProgramHeader] = []
        for index in 0..<Int(phnum) {
            let at = Int(phoff) + index * Int(phentsize)
            let header = ProgramHeader(
                type: Self.u32(bytes, at), offset: Self.u64(bytes, at + 8),
                virtualAddress: Self.u64(bytes, at + 16), fileSize: Self.u64(bytes, at + 32))
            if header.type == 1 || header.type == 2 {  // PT_LOAD, PT_DYNAMIC
                let end = header.offset + header.fileSize
                guard end <= size else {
                    throw fail("truncated: segment \(index) ends at byte \(end) but the file has \(size) bytes")
                }
            }
            headers.append(header)
        }
        self.programHeaders = headers
    }

    /// The `DT_NEEDED` names from the dynamic section.
    func neededLibraries() throws(PluginLoadError) -> [String] {
        guard let dynamic = programHeaders.first(where: { $0.type == 2 }) else {
            throw PluginLoadError(file: file, check: .elf, detail: "has no PT_DYNAMIC segment: not a dynamically loadable shared object")
        }
        var neededOffsets: [UInt64] = []
        var stringTableAddress: UInt64?
        var at = Int(dynamic.offset)
        let end = Int(dynamic.offset + dynamic.fileSize)
        while at + 16 <= end {
            let tag = Self.u64(bytes, at), value = Self.u64(bytes, at + 8)
            if tag == 0 { break }
            if tag == 1 { neededOffsets.append(value) }
            if tag == 5 { stringTableAddress = value }
            at += 16
        }
        guard let stringTableAddress, let tableOffset = fileOffset(ofAddress: stringTableAddress) else { return [] }
        return neededOffsets.compactMap { offset in
            let start = Int(tableOffset + offset)
            guard start < bytes.count else { return nil }
            let stop = bytes[start...].firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[start..<stop], as: UTF8.self)
        }
    }

    private func fileOffset(ofAddress address: UInt64) -> UInt64? {
        for header in programHeaders where header.type == 1 {
            if address >= header.virtualAddress && address < header.virtualAddress + header.fileSize {
                return address - header.virtualAddress + header.offset
            }
        }
        return nil
    }

    static func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * $1) } }
    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * $1) } }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
