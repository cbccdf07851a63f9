import CapPluginABI

/// A plugin descriptor written as text, one field a line, that `DescriptorImage`
/// lays out in memory as a plugin's `cap_plugin` and its tables would be. Lines are
/// `key value`; unknown keys and `#` lines are skipped, so any bytes make a spec.
///
/// ```
/// magic 0x3154534F48504143      struct_size 152        abi_major 1      abi_minor 4
/// name noop                     version 1.0.0          vendor …         build_id …
/// flags 1                       capability_count 2     capabilities null
/// entry null                    null invoke            (create, health, quiesce, destroy)
/// capability                    (starts a capability; then, for it:)
///   cap_struct_size 64  domain adapter  category bench  provider noop  priority 10
///   stack_level 0  description …  method_count 4  methods null
/// method echo                   (starts a method of the last capability; then:)
///   method_description …  input_schema {"type":"object"}
/// ```
///
/// A text value is the rest of the line, with `\n`, `\t`, `\\`, `\0` and `\xHH`
/// escapes (a `\0` ends the C string there, as it would in a plugin); `@null` is a
/// NULL pointer and `@repeat N TEXT` is TEXT written N times (to reach the length
/// limits). Numbers are decimal, negative or `0x` hex, cut to the field's width.
/// Fields not written get valid values, so a mutation that drops a line still
/// reaches the checks after it.
struct DescriptorSpec {
    /// One `cap_method`.
    struct Method {
        var name: [UInt8]?
        var description: [UInt8]?
        var inputSchema: [UInt8]?
    }

    /// One `cap_capability` and its method table.
    struct Capability {
        var structSize = UInt32(MemoryLayout<cap_capability>.size)
        var domain: [UInt8]? = Array("adapter".utf8)
        var category: [UInt8]? = Array("fuzz".utf8)
        var provider: [UInt8]?
        var priority: Int32 = 0
        var stackLevel: Int32 = 0
        var description: [UInt8]?
        var methods: [Method] = []
        /// `method_count` when written; else the number of `method` lines.
        var declaredMethodCount: UInt32?
        var methodsNull = false

        var methodCount: UInt32 { declaredMethodCount ?? UInt32(clamping: methods.count) }
    }

    var entryReturnsNull = false
    var magic: UInt64 = CAP_PLUGIN_MAGIC
    var structSize = UInt32(MemoryLayout<cap_plugin>.size)
    var abiMajor = UInt16(CAP_ABI_MAJOR)
    var abiMinor = UInt16(CAP_ABI_MINOR)
    var name: [UInt8]? = Array("fuzz".utf8)
    var version: [UInt8]? = Array("1.0.0".utf8)
    var vendor: [UInt8]?
    var buildID: [UInt8]?
    var flags: UInt64 = 0
    var reserved0: UInt32 = 0
    var capabilities: [Capability] = []
    /// `capability_count` when written; else the number of `capability` lines.
    var declaredCapabilityCount: UInt32?
    var capabilitiesNull = false
    /// Entry points written as `null NAME`.
    var nullFunctions: Set<String> = []

    var capabilityCount: UInt32 { declaredCapabilityCount ?? UInt32(clamping: capabilities.count) }

    /// Most `@repeat` output one value may have.
    static let maximumRepeatedBytes = 1 << 20

    init(parsing input: [UInt8]) {
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard line.first != UInt8(ascii: "#") else { continue }
            let space = line.firstIndex(of: UInt8(ascii: " ")) ?? line.endIndex
            let key = String(decoding: line[..<space], as: UTF8.self)
            let raw = space < line.endIndex ? Array(line[line.index(after: space)...]) : []
            apply(key: key, raw: raw)
        }
    }

    private mutating func apply(key: String, raw: [UInt8]) {
        let text = Self.text(raw)
        let number = Self.number(raw)
        switch key {
        case "magic": magic = number
        case "struct_size": structSize = UInt32(truncatingIfNeeded: number)
        case "abi_major": abiMajor = UInt16(truncatingIfNeeded: number)
        case "abi_minor": abiMinor = UInt16(truncatingIfNeeded: number)
        case "name": name = text
        case "version": version = text
        case "vendor": vendor = text
        case "build_id": buildID = text
        case "flags": flags = number
        case "reserved0": reserved0 = UInt32(truncatingIfNeeded: number)
        case "capability_count": declaredCapabilityCount = UInt32(truncatingIfNeeded: number)
        case "capabilities": capabilitiesNull = text == nil
        case "entry": entryReturnsNull = text == nil
        case "null": nullFunctions.insert(String(decoding: raw, as: UTF8.self))
        case "capability":
            var capability = Capability()
            capability.provider = Array("p\(capabilities.count)".utf8)
            capabilities.append(capability)
        default:
            applyToLastCapability(key: key, text: text, number: number)
        }
    }

    private mutating func applyToLastCapability(key: String, text: [UInt8]?, number: UInt64) {
        guard !capabilities.isEmpty else { return }
        let last = capabilities.count - 1
        switch key {
        case "cap_struct_size": capabilities[last].structSize = UInt32(truncatingIfNeeded: number)
        case "domain": capabilities[last].domain = text
        case "category": capabilities[last].category = text
        case "provider": capabilities[last].provider = text
        case "priority": capabilities[last].priority = Int32(truncatingIfNeeded: number)
        case "stack_level": capabilities[last].stackLevel = Int32(truncatingIfNeeded: number)
        case "description": capabilities[last].description = text
        case "method_count": capabilities[last].declaredMethodCount = UInt32(truncatingIfNeeded: number)
        case "methods": capabilities[last].methodsNull = text == nil
        case "method":
            let index = capabilities[last].methods.count
            capabilities[last].methods.append(Method(name: text ?? Array("m\(index)".utf8)))
        case "method_description":
            guard !capabilities[last].methods.isEmpty else { return }
            capabilities[last].methods[capabilities[last].methods.count - 1].description = text
        case "input_schema":
            guard !capabilities[last].methods.isEmpty else { return }
            capabilities[last].methods[capabilities[last].methods.count - 1].inputSchema = text
        default:
            break
        }
    }

    /// The bytes a text value stands for; nil for `@null`.
    static func text(_ raw: [UInt8]) -> [UInt8]? {
        if raw == Array("@null".utf8) { return nil }
        let repeatPrefix = Array("@repeat ".utf8)
        if raw.starts(with: repeatPrefix) {
            let rest = raw.dropFirst(repeatPrefix.count)
            let space = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
            let times = Int(clamping: number(Array(rest[..<space])))
            let unit = unescaped(space < rest.endIndex ? Array(rest[rest.index(after: space)...]) : [])
            guard !unit.isEmpty else { return [] }
            let count = min(times, maximumRepeatedBytes / unit.count)
            return Array([[UInt8]](repeating: unit, count: max(0, count)).joined())
        }
        return unescaped(raw)
    }

    private static func unescaped(_ raw: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.count else {
                output.append(byte)
                index += 1
                continue
            }
            switch raw[index + 1] {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "0"): output.append(0x00)
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "x") where index + 3 < raw.count:
                if let value = UInt8(String(decoding: raw[(index + 2)...(index + 3)], as: UTF8.self), radix: 16) {
                    output.append(value)
                    index += 4
                    continue
                }
                output.append(contentsOf: raw[index...(index + 1)])
            default:
                output.append(contentsOf: raw[index...(index + 1)])
            }
            index += 2
        }
        return output
    }

    /// A decimal, negative decimal or `0x` hex number as its 64-bit pattern; 0 when unreadable.
    static func number(_ raw: [UInt8]) -> UInt64 {
        let text = String(decoding: raw, as: UTF8.self)
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) ?? 0 }
        if let value = UInt64(text) { return value }
        if let value = Int64(text) { return UInt64(bitPattern: value) }
        return 0
    }
}
