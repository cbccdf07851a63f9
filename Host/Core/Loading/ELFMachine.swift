/// ELF `e_machine` values: this host's, and a name for any.
enum ELFMachine {
    static let x86_64: UInt16 = 62
    static let aarch64: UInt16 = 183

    /// The `e_machine` a plugin must have to load here.
    static var host: UInt16 {
        #if arch(x86_64)
        x86_64
        #elseif arch(arm64)
        aarch64
        #else
        0
        #endif
    }

    static func name(_ machine: UInt16) -> String {
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
}
