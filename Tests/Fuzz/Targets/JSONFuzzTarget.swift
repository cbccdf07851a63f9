import CapHostCore

/// `json`: the host's JSON parser (`JSONValue(parsing:)`, what the HTTP and MCP edges
/// run on every payload) over any bytes. A document it accepts must serialize to
/// text that parses back to the same value.
enum JSONFuzzTarget {
    static let target = FuzzTarget(
        name: "json",
        summary: "any bytes, parsed by JSONValue(parsing:), serialized and parsed again",
        dictionary: "json.dict"
    ) { input throws(FuzzFinding) in
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONValue(parsing: input)
        } catch {
            return
        }
        let text = value.serialized()
        let again: JSONValue
        do throws(JSONParseError) {
            again = try JSONValue(parsing: text)
        } catch {
            throw FuzzFinding("json", "the serialization of a parsed document does not parse (\(error)): \(String(decoding: text, as: UTF8.self))")
        }
        guard again == value else {
            throw FuzzFinding("json", "serializing and parsing again changed the value: \(String(decoding: text, as: UTF8.self))")
        }
    }
}
