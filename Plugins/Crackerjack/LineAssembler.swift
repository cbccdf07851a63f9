/// Splits a byte stream into lines for progress reports; a line longer than 16 KiB is cut.
struct LineAssembler {
    private var partial: [UInt8] = []

    mutating func append(_ bytes: UnsafeRawBufferPointer, onLine: (Substring) -> Void) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                onLine(Substring(String(decoding: partial, as: UTF8.self)))
                partial.removeAll(keepingCapacity: true)
            } else if partial.count < 16_384 {
                partial.append(byte)
            }
        }
    }

    mutating func finish() -> Substring? {
        guard !partial.isEmpty else { return nil }
        defer { partial.removeAll() }
        return Substring(String(decoding: partial, as: UTF8.self))
    }
}
