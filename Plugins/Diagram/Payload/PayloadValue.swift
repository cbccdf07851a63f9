#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON (or YAML) value as the caller wrote it, with where it was written when the text was
/// YAML, so that every validation error can name the path, the line and the column.
struct PayloadValue: Sendable {
    /// The value itself.
    enum Kind: Sendable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([PayloadValue])
        case object([String: PayloadValue])
    }

    var kind: Kind
    /// Line and column in the YAML text; `nil` for JSON payloads.
    var mark: SourceMark?

    init(_ kind: Kind, mark: SourceMark? = nil) {
        self.kind = kind
        self.mark = mark
    }

    /// How an error message names what was found: `a number (3)`, `a string ("x")`.
    var foundDescription: String {
        switch kind {
        case .null: "null"
        case .bool(let value): "a boolean (\(value))"
        case .number(let value): "a number (\(Self.numberText(value)))"
        case .string(let value): "a string (\(Self.quoted(value)))"
        case .array(let items): "an array of \(items.count)"
        case .object: "an object"
        }
    }

    /// `3` rather than `3.0` for whole numbers.
    static func numberText(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A string for an error message: quoted, cut at 60 characters.
    static func quoted(_ text: String) -> String {
        let cut = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return "\"" + cut + "\""
    }
}

/// A position in YAML text (1-based, as Yams reports it).
struct SourceMark: Sendable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    var description: String { "line \(line), column \(column)" }
}

extension PayloadValue: Decodable {
    /// Any JSON value; numbers become `Double`.
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self.init(.null)
        } else if let value = try? container.decode(Bool.self) {
            self.init(.bool(value))
        } else if let value = try? container.decode(Double.self) {
            self.init(.number(value))
        } else if let value = try? container.decode(String.self) {
            self.init(.string(value))
        } else if let value = try? container.decode([PayloadValue].self) {
            self.init(.array(value))
        } else {
            self.init(.object(try container.decode([String: PayloadValue].self)))
        }
    }
}
