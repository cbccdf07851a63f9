/// Estimates how much room a label takes without a font engine: the renderers draw with a
/// generic sans-serif font list, so the layout reserves an average Latin advance per character
/// and a double advance for East Asian wide characters and emoji.
enum TextMetrics {
    /// Font size of node and edge labels, in pixels.
    static let fontSize = 14.0
    /// Font size of group and diagram titles.
    static let titleFontSize = 16.0
    /// Line height as a multiple of the font size (Excalidraw's default too).
    static let lineHeightFactor = 1.25
    /// Average advance of a Latin character as a multiple of the font size.
    static let averageAdvanceFactor = 0.6

    /// The label's lines: `\r\n`, `\r` and `\n` all break; tabs and other controls become spaces.
    static func lines(_ label: String) -> [String] {
        let normalised = label.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        return normalised.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(String.UnicodeScalarView(line.unicodeScalars.map { scalar in
                scalar.properties.generalCategory == .control ? " " : scalar
            }))
        }
    }

    /// Width and height of `lines` at `fontSize`.
    static func size(of lines: [String], fontSize: Double = fontSize) -> (width: Double, height: Double) {
        let widest = lines.map { columns(of: $0) }.max() ?? 0
        return (Double(widest) * fontSize * averageAdvanceFactor,
                Double(max(lines.count, 1)) * fontSize * lineHeightFactor)
    }

    /// Display columns of `text`: 2 for wide characters and emoji, 1 otherwise.
    static func columns(of text: String) -> Int {
        text.reduce(0) { total, character in
            total + (character.unicodeScalars.contains(where: isWide) ? 2 : 1)
        }
    }

    /// East Asian wide/fullwidth ranges and emoji presentation.
    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isEmojiPresentation { return true }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
