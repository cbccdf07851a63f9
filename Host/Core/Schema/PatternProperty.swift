/// A Unicode property a `\p{…}` escape names: a general category, by its short or
/// long name (`L`, `Letter`, `gc=Lu`, `General_Category=Decimal_Number`), or one of
/// `Any`, `ASCII`, `Alphabetic`, `White_Space`, `Uppercase`, `Lowercase`.
enum PatternProperty: Equatable, Sendable {
    case categories([Unicode.GeneralCategory])
    case any
    case ascii
    case alphabetic
    case whiteSpace
    case uppercase
    case lowercase

    /// The property `name` names, or nil.
    init?(_ name: String) {
        var name = Substring(name)
        for prefix in ["General_Category=", "gc="] where name.hasPrefix(prefix) { name = name.dropFirst(prefix.count) }
        switch name {
        case "Any": self = .any
        case "ASCII": self = .ascii
        case "Alphabetic", "Alpha": self = .alphabetic
        case "White_Space", "space": self = .whiteSpace
        case "Uppercase", "Upper": self = .uppercase
        case "Lowercase", "Lower": self = .lowercase
        default:
            guard let categories = Self.categories[String(name)] else { return nil }
            self = .categories(categories)
        }
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch self {
        case .categories(let categories): return categories.contains(properties.generalCategory)
        case .any: return true
        case .ascii: return scalar.isASCII
        case .alphabetic: return properties.isAlphabetic
        case .whiteSpace: return properties.isWhitespace
        case .uppercase: return properties.isUppercase
        case .lowercase: return properties.isLowercase
        }
    }

    /// General categories by short and long name, and the groups (`L`, `N`, …).
    private static let categories: [String: [Unicode.GeneralCategory]] = {
        let single: [(String, String, Unicode.GeneralCategory)] = [
            ("Lu", "Uppercase_Letter", .uppercaseLetter), ("Ll", "Lowercase_Letter", .lowercaseLetter),
            ("Lt", "Titlecase_Letter", .titlecaseLetter), ("Lm", "Modifier_Letter", .modifierLetter),
            ("Lo", "Other_Letter", .otherLetter), ("Mn", "Nonspacing_Mark", .nonspacingMark),
            ("Mc", "Spacing_Mark", .spacingMark), ("Me", "Enclosing_Mark", .enclosingMark),
            ("Nd", "Decimal_Number", .decimalNumber), ("Nl", "Letter_Number", .letterNumber),
            ("No", "Other_Number", .otherNumber), ("Pc", "Connector_Punctuation", .connectorPunctuation),
            ("Pd", "Dash_Punctuation", .dashPunctuation), ("Ps", "Open_Punctuation", .openPunctuation),
            ("Pe", "Close_Punctuation", .closePunctuation), ("Pi", "Initial_Punctuation", .initialPunctuation),
            ("Pf", "Final_Punctuation", .finalPunctuation), ("Po", "Other_Punctuation", .otherPunctuation),
            ("Sm", "Math_Symbol", .mathSymbol), ("Sc", "Currency_Symbol", .currencySymbol),
            ("Sk", "Modifier_Symbol", .modifierSymbol), ("So", "Other_Symbol", .otherSymbol),
            ("Zs", "Space_Separator", .spaceSeparator), ("Zl", "Line_Separator", .lineSeparator),
            ("Zp", "Paragraph_Separator", .paragraphSeparator), ("Cc", "Control", .control),
            ("Cf", "Format", .format), ("Cs", "Surrogate", .surrogate),
            ("Co", "Private_Use", .privateUse), ("Cn", "Unassigned", .unassigned),
        ]
        var table: [String: [Unicode.GeneralCategory]] = [:]
        for (short, long, category) in single {
            table[short] = [category]
            table[long] = [category]
        }
        let groups: [(String, String)] = [("L", "Letter"), ("M", "Mark"), ("N", "Number"), ("P", "Punctuation"),
                                          ("S", "Symbol"), ("Z", "Separator"), ("C", "Other")]
        for (short, long) in groups {
            let members = single.filter { $0.0.hasPrefix(short) }.map(\.2)
            table[short] = members
            table[long] = members
        }
        table["LC"] = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter]
        table["Cased_Letter"] = table["LC"]
        return table
    }()
}
