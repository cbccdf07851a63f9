import Foundation

/// Byte sizes as operators write them: `16MiB`, `512KiB`, `1GB`, `4096`.
enum ByteSizeText {
    private static let units: [String: Int] = [
        "B": 1, "KB": 1_000, "KiB": 1 << 10, "MB": 1_000_000, "MiB": 1 << 20, "GB": 1_000_000_000, "GiB": 1 << 30,
    ]

    /// The byte count `text` names, or nil when it is not one.
    static func parse(_ text: String) -> Int? {
        let trimmed = text.replacingOccurrences(of: " ", with: "")
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let count = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count)
        if unit.isEmpty { return count }
        guard let factor = units[String(unit)] else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }
}
