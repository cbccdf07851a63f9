import Yams

/// Types a plain YAML scalar by the YAML 1.2 core schema: `null`/`~`/empty,
/// `true`/`false` (not `yes`/`no`/`on`/`off`), decimal, `0x` and `0o` integers,
/// decimal floats. Everything else is a string.
enum CoreSchema {
    static func type(of text: String) -> Result<ConfigScalar.Value, CoreSchemaError> {
        switch text {
        case "", "~", "null", "Null", "NULL": return .success(.null)
        case "true", "True", "TRUE": return .success(.bool(true))
        case "false", "False", "FALSE": return .success(.bool(false))
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            return .failure(CoreSchemaError("\(text) is not a finite number: configuration numbers must be finite"))
        default: break
        }
        if let integer = integer(text) { return integer }
        if isFloat(text) {
            guard let number = Double(text), number.isFinite else {
                return .failure(CoreSchemaError("\(text) does not fit a 64-bit floating-point number"))
            }
            return .success(.double(number))
        }
        return .success(.string(text))
    }

    static func matches(_ value: ConfigScalar.Value, tag: String) -> Bool {
        switch (value, tag) {
        case (.int, Tag.Name.int.rawValue), (.double, Tag.Name.float.rawValue),
             (.bool, Tag.Name.bool.rawValue), (.null, Tag.Name.null.rawValue): true
        default: false
        }
    }

    private static func integer(_ text: String) -> Result<ConfigScalar.Value, CoreSchemaError>? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        var radix = 10
        if body.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) } else if body.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit && Int(String($0), radix: radix) != nil }) else { return nil }
        // Signs only belong to decimal integers.
        if radix != 10 && text.first.map({ $0 == "-" || $0 == "+" }) == true { return nil }
        guard let magnitude = UInt64(body, radix: radix),
              let value = negative ? (magnitude <= UInt64(Int64.max) + 1 ? Int(truncatingIfNeeded: 0 &- magnitude) : nil)
                                   : (magnitude <= UInt64(Int.max) ? Int(magnitude) : nil) else {
            return .failure(CoreSchemaError("\(text) is out of range for a 64-bit integer"))
        }
        return .success(.int(value))
    }

    /// Decimal digits with an optional sign, point and exponent (`1`, `-2.5`, `.5`, `1e3`).
    static func isFloat(_ text: String) -> Bool {
        var scalars = Substring(text)
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
        var digitsBefore = 0
        var digitsAfter = 0
        while let first = scalars.first, first.isASCII, first.isNumber { digitsBefore += 1; scalars = scalars.dropFirst() }
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            while let first = scalars.first, first.isASCII, first.isNumber { digitsAfter += 1; scalars = scalars.dropFirst() }
        }
        guard digitsBefore + digitsAfter > 0 else { return false }
        if let e = scalars.first, e == "e" || e == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
            var exponentDigits = 0
            while let first = scalars.first, first.isASCII, first.isNumber { exponentDigits += 1; scalars = scalars.dropFirst() }
            guard exponentDigits > 0 else { return false }
        }
        return scalars.isEmpty
    }
}

/// Why a plain scalar cannot be typed.
struct CoreSchemaError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
