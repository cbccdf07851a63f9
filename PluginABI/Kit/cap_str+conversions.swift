import CapPluginABI

extension cap_str {
    /// A borrowed view of `bytes`, valid only while `bytes` is.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.init(ptr: bytes.isEmpty ? nil : UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                  len: bytes.count)
    }

    /// A borrowed view of raw `bytes`, valid only while `bytes` is.
    init(_ bytes: UnsafeRawBufferPointer) {
        self.init(ptr: bytes.isEmpty ? nil : bytes.baseAddress!.assumingMemoryBound(to: CChar.self),
                  len: bytes.count)
    }

    /// A copy of the borrowed bytes.
    var bytes: [UInt8] {
        guard len > 0, let ptr else { return [] }
        return Array(UnsafeRawBufferPointer(start: ptr, count: len))
    }
}

extension String {
    /// Calls `body` with a borrowed `cap_str` of the string's UTF-8 bytes.
    func withCapStr<Result>(_ body: (cap_str) throws -> Result) rethrows -> Result {
        var string = self
        return try string.withUTF8 { try body(cap_str($0)) }
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with a borrowed `cap_str` of the bytes.
    func withCapStr<Result>(_ body: (cap_str) throws -> Result) rethrows -> Result {
        try withUnsafeBufferPointer { try body(cap_str($0)) }
    }
}
