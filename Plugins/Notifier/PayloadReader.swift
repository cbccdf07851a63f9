import Foundation
import PluginKit

/// Reads the fields of a `send` payload (a parsed JSON object) with errors that name the JSON
/// path, what was expected and what was found.
struct PayloadReader {
    let object: [String: Any]

    init(_ object: [String: Any]) { self.object = object }

    func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    func rejectUnknownKeys(known: Set<String>) throws(PluginError) {
        for key in object.keys.sorted() where !known.contains(key) {
            throw PluginError.invalidArgument("/\(key): unknown field (expected one of \(known.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(PluginError) -> String? {
        guard has(key) else { return nil }
        guard let value = object[key] as? String else { throw Self.mismatch("/\(key)", expected: "a string", found: object[key]) }
        return value
    }

    func bool(_ key: String) throws(PluginError) -> Bool? {
        guard has(key) else { return nil }
        guard let value = object[key], Self.isBoolean(value) else {
            throw Self.mismatch("/\(key)", expected: "true or false", found: object[key])
        }
        return (value as! NSNumber).boolValue
    }

    func strings(_ key: String) throws(PluginError) -> [String] {
        guard has(key) else { return [] }
        guard let values = object[key] as? [Any] else { throw Self.mismatch("/\(key)", expected: "an array of strings", found: object[key]) }
        var result: [String] = []
        for (index, value) in values.enumerated() {
            guard let text = value as? String else { throw Self.mismatch("/\(key)/\(index)", expected: "a string", found: value) }
            try MailHeaderText.checkSingleLine(text, at: "/\(key)/\(index)")
            result.append(text)
        }
        return result
    }

    /// An address list: one string (comma-separated allowed) or an array of strings.
    func recipients(_ key: String) throws(PluginError) -> [String] {
        guard has(key) else { return [] }
        let raw: [(String, String)]
        switch object[key] {
        case let text as String:
            raw = MailAddress.split(text).map { ($0, "/\(key)") }
        case let values as [Any]:
            var collected: [(String, String)] = []
            for (index, value) in values.enumerated() {
                guard let text = value as? String else { throw Self.mismatch("/\(key)/\(index)", expected: "a string", found: value) }
                collected += MailAddress.split(text).map { ($0, "/\(key)/\(index)") }
            }
            raw = collected
        default:
            throw Self.mismatch("/\(key)", expected: "a string or an array of strings", found: object[key])
        }
        var addresses: [String] = []
        for (address, path) in raw { addresses.append(try MailAddress.checked(address, at: path)) }
        return addresses
    }

    func variables() throws(PluginError) -> [MailField] {
        guard has("variables") else { return [] }
        guard let values = object["variables"] as? [String: Any] else {
            throw Self.mismatch("/variables", expected: "an object", found: object["variables"])
        }
        var fields: [MailField] = []
        for name in values.keys.sorted() {
            guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw PluginError.invalidArgument("/variables/\(name): expected a name without control characters, found \(Self.quoted(name))")
            }
            let value = values[name]!
            if let text = value as? String {
                fields.append(MailField(name: name, value: text))
            } else {
                guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) else {
                    throw Self.mismatch("/variables/\(name)", expected: "a JSON value", found: value)
                }
                fields.append(MailField(name: name, value: String(decoding: data, as: UTF8.self)))
            }
        }
        return fields
    }

    func headers() throws(PluginError) -> [MailField] {
        guard has("headers") else { return [] }
        guard let values = object["headers"] as? [String: Any] else {
            throw Self.mismatch("/headers", expected: "an object of strings", found: object["headers"])
        }
        var fields: [MailField] = []
        for name in values.keys.sorted() {
            guard MailHeaderText.isValidFieldName(name) else {
                throw PluginError.invalidArgument("/headers/\(name): expected a header name of printable ASCII without ':' or spaces, found \(Self.quoted(name))")
            }
            guard !MailHeaderText.reservedFieldNames.contains(name.lowercased()) else {
                throw PluginError.invalidArgument("/headers/\(name): set by the notifier itself; use the payload's own field instead")
            }
            guard let value = values[name] as? String else { throw Self.mismatch("/headers/\(name)", expected: "a string", found: values[name]) }
            try MailHeaderText.checkSingleLine(value, at: "/headers/\(name)")
            fields.append(MailField(name: name, value: value))
        }
        return fields
    }

    func attachments(_ key: String) throws(PluginError) -> [MailAttachment] {
        guard has(key) else { return [] }
        guard let values = object[key] as? [Any] else { throw Self.mismatch("/\(key)", expected: "an array of files", found: object[key]) }
        var files: [MailAttachment] = []
        for (index, value) in values.enumerated() {
            let path = "/\(key)/\(index)"
            guard let file = value as? [String: Any] else { throw Self.mismatch(path, expected: "an object {filename, content_type, content_base64}", found: value) }
            let reader = PayloadReader(file)
            try reader.rejectUnknownKeys(known: ["filename", "content_type", "content_base64"])
            guard let filename = try reader.string("filename"), !filename.isEmpty else {
                throw PluginError.invalidArgument("\(path)/filename: required, a non-empty string")
            }
            try MailHeaderText.checkSingleLine(filename, at: "\(path)/filename")
            guard !filename.contains("/") && !filename.contains("\\") else {
                throw PluginError.invalidArgument("\(path)/filename: expected a file name without '/' or '\\', found \(Self.quoted(filename))")
            }
            let contentType = try reader.string("content_type") ?? "application/octet-stream"
            guard MailHeaderText.isValidMediaType(contentType) else {
                throw PluginError.invalidArgument("\(path)/content_type: expected a media type like \"text/plain\", found \(Self.quoted(contentType))")
            }
            guard let encoded = try reader.string("content_base64") else {
                throw PluginError.invalidArgument("\(path)/content_base64: required, the file's bytes in base64")
            }
            guard let content = Data(base64Encoded: encoded.filter { !$0.isWhitespace }) else {
                throw PluginError.invalidArgument("\(path)/content_base64: expected base64 (RFC 4648, padded), found \(encoded.utf8.count) characters that do not decode")
            }
            files.append(MailAttachment(filename: filename, contentType: contentType, content: Array(content)))
        }
        return files
    }

    func options() throws(PluginError) -> MailOptions {
        var options = MailOptions()
        guard has("options") else { return options }
        guard let values = object["options"] as? [String: Any] else { throw Self.mismatch("/options", expected: "an object", found: object["options"]) }
        let reader = PayloadReader(values)
        try reader.rejectUnknownKeys(known: ["tracking", "tracking_clicks", "tracking_opens", "deliverytime", "require_tls"])
        func yesNo(_ key: String) throws(PluginError) -> String? {
            do { return try reader.bool(key).map { $0 ? "yes" : "no" } } catch {
                throw Self.mismatch("/options/\(key)", expected: "true or false", found: values[key])
            }
        }
        options.tracking = try yesNo("tracking")
        options.trackingOpens = try yesNo("tracking_opens")
        options.requireTLS = try yesNo("require_tls")
        if let clicks = values["tracking_clicks"], !(clicks is NSNull) {
            if Self.isBoolean(clicks) {
                options.trackingClicks = (clicks as! NSNumber).boolValue ? "yes" : "no"
            } else if let text = clicks as? String, ["yes", "no", "htmlonly"].contains(text) {
                options.trackingClicks = text
            } else {
                throw Self.mismatch("/options/tracking_clicks", expected: "true, false, \"yes\", \"no\" or \"htmlonly\"", found: clicks)
            }
        }
        do { options.deliveryTime = try reader.string("deliverytime") } catch {
            throw Self.mismatch("/options/deliverytime", expected: "an RFC 2822 date string", found: values["deliverytime"])
        }
        if let time = options.deliveryTime { try MailHeaderText.checkSingleLine(time, at: "/options/deliverytime") }
        return options
    }

    static func mismatch(_ path: String, expected: String, found: Any?) -> PluginError {
        PluginError.invalidArgument("\(path): expected \(expected), found \(describe(found))")
    }

    /// The JSON type of a value, with a short excerpt of strings.
    static func describe(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "null"
        case let text as String: "the string \(quoted(text))"
        case let number as NSNumber where isBoolean(number): number.boolValue ? "true" : "false"
        case let number as NSNumber: "the number \(number)"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: "a \(type(of: value!))"
        }
    }

    /// Whether a JSONSerialization value is `true` or `false` rather than a number (both are
    /// NSNumbers; a boolean's Objective-C type is `c`).
    static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    static func quoted(_ text: String) -> String {
        let excerpt = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return "\"" + excerpt.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") + "\""
    }
}
