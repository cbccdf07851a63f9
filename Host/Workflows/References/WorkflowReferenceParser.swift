import CapHostCore

/// Reads the text inside `${…}`: `input.NAME` or `steps.NAME`, then `.field`,
/// `[index]` and `[?field=='value']` (the value: 'text', "text", a number,
/// true, false or null). Names are letters, digits, `_` and `-`.
struct WorkflowReferenceParser {
    private let bytes: [UInt8]
    private var position = 0
    /// Where the text starts in the file, for the positions of errors.
    private let line: Int
    private let column: Int

    init(_ text: Substring, line: Int, column: Int) {
        self.bytes = Array(text.utf8)
        self.line = line
        self.column = column
    }

    /// What went wrong, and the column (in the file) where it did.
    struct Failure: Error {
        let column: Int
        let message: String
    }

    mutating func parse() throws(Failure) -> WorkflowReference {
        skipSpaces()
        let rootWord = try name(what: "input or steps")
        guard rootWord == "input" || rootWord == "steps" else {
            throw fail("a reference starts with input. or steps., found '\(rootWord)'", at: 0)
        }
        try expect(UInt8(ascii: "."), "'.' after \(rootWord)")
        let first = try name(what: rootWord == "input" ? "an input name" : "a step name")
        let root: WorkflowReference.Root = rootWord == "input" ? .input(first) : .step(first)
        var path: [WorkflowReference.Component] = []
        while true {
            skipSpaces()
            guard position < bytes.count else { break }
            switch bytes[position] {
            case UInt8(ascii: "."):
                position += 1
                path.append(.field(try name(what: "a field name")))
            case UInt8(ascii: "["):
                position += 1
                skipSpaces()
                if position < bytes.count && bytes[position] == UInt8(ascii: "?") {
                    position += 1
                    skipSpaces()
                    let field = try name(what: "the field a filter compares")
                    skipSpaces()
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "="), bytes[position + 1] == UInt8(ascii: "=") else {
                        throw fail("a filter is [?field=='value']: expected == after \(field)", at: position)
                    }
                    position += 2
                    skipSpaces()
                    let value = try literal()
                    skipSpaces()
                    try expect(UInt8(ascii: "]"), "']' to close the filter")
                    path.append(.filter(field: field, value: value))
                } else {
                    let start = position
                    while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
                    guard position > start, let index = Int(String(decoding: bytes[start..<position], as: UTF8.self)), index < 1 << 31 else {
                        throw fail("expected an index (0, 1, …) or a filter [?field=='value'] after '['", at: start)
                    }
                    skipSpaces()
                    try expect(UInt8(ascii: "]"), "']' after the index")
                    path.append(.index(index))
                }
            default:
                throw fail("unexpected '\(String(decoding: [bytes[position]], as: UTF8.self))': expected .field, [index] or [?field=='value']", at: position)
            }
            if path.count > Self.maximumComponents {
                throw fail("a reference may go at most \(Self.maximumComponents) steps deep", at: position)
            }
        }
        // The reference is where its `${` is, two columns before its text.
        return WorkflowReference(root: root, path: path, line: line, column: max(1, column - 2))
    }

    /// Longest path a reference may have: far more than any document needs.
    static let maximumComponents = 64

    private mutating func name(what: String) throws(Failure) -> String {
        let start = position
        while position < bytes.count, Self.isNameByte(bytes[position]) { position += 1 }
        guard position > start else {
            let found = position < bytes.count ? "'\(String(decoding: [bytes[position]], as: UTF8.self))'" : "the end"
            throw fail("expected \(what), found \(found)", at: start)
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func literal() throws(Failure) -> JSONValue {
        let start = position
        guard position < bytes.count else { throw fail("expected a value ('text', a number, true, false or null)", at: start) }
        let quote = bytes[position]
        if quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") {
            position += 1
            let textStart = position
            while position < bytes.count && bytes[position] != quote { position += 1 }
            guard position < bytes.count else { throw fail("the quoted value is not closed", at: start) }
            let text = String(decoding: bytes[textStart..<position], as: UTF8.self)
            position += 1
            return .string(text)
        }
        while position < bytes.count, bytes[position] != UInt8(ascii: "]"), bytes[position] != UInt8(ascii: " ") { position += 1 }
        let word = String(decoding: bytes[start..<position], as: UTF8.self)
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
            if let value = try? JSONValue(parsing: word), case .number = value { return value }
            throw fail("expected a value ('text', a number, true, false or null), found '\(word)'", at: start)
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        guard position < bytes.count, bytes[position] == byte else {
            let found = position < bytes.count ? "'\(String(decoding: [bytes[position]], as: UTF8.self))'" : "the end"
            throw fail("expected \(what), found \(found)", at: position)
        }
        position += 1
    }

    private mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
    }

    private func fail(_ message: String, at offset: Int) -> Failure {
        Failure(column: column + offset, message: message)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}
