import CapPluginABI

extension cap_str {
    /// The borrowed bytes as text.
    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// A copy of the borrowed bytes.
    var bytes: [UInt8] {
        guard len > 0, let ptr else { return [] }
        return Array(UnsafeRawBufferPointer(start: ptr, count: len))
    }
}
