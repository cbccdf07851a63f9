/// Numbers as a variable from the environment must spell them for a host setting that takes
/// one: plain decimal (`8080`, `007` is 7, `-3`, `0.25`, `1e3`), never `0x1F`, `0o17`, `inf`
/// or `nan`, which YAML or Swift would otherwise read as numbers too.
enum DecimalText {
    /// The integer `text` spells in decimal digits (an optional `-` first), or nil.
    static func integer(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// The finite number `text` spells as a YAML core-schema decimal float or integer, or nil.
    static func number(_ text: String) -> Double? {
        guard CoreSchema.isFloat(text), let number = Double(text), number.isFinite else { return nil }
        return number
    }
}
