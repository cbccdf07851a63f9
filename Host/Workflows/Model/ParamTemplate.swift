import CapHostCore

/// A step's `params` as written: JSON values in which a string may hold
/// `${…}` references. A string that is one reference and nothing else stands
/// for the value it names (an object stays an object); references inside
/// other text are written into it (text as is, anything else as JSON).
/// `$${` writes a literal `${`.
public indirect enum ParamTemplate: Sendable, Hashable {
    case value(JSONValue)
    case reference(WorkflowReference)
    case text([TextPart])
    case object([String: ParamTemplate])
    case array([ParamTemplate])

    /// A piece of an interpolated string.
    public enum TextPart: Sendable, Hashable {
        case literal(String)
        case reference(WorkflowReference)
    }

    /// Every reference the template holds, in order.
    public var references: [WorkflowReference] {
        switch self {
        case .value: []
        case .reference(let reference): [reference]
        case .text(let parts): parts.compactMap { if case .reference(let reference) = $0 { reference } else { nil } }
        case .object(let members): members.keys.sorted().flatMap { members[$0]!.references }
        case .array(let items): items.flatMap(\.references)
        }
    }

    /// The JSON the template makes in `scope`.
    func render(in scope: ReferenceScope) throws(ReferenceFailure) -> JSONValue {
        switch self {
        case .value(let value):
            return value
        case .reference(let reference):
            return try reference.resolve(in: scope)
        case .text(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .literal(let literal): text += literal
                case .reference(let reference):
                    let value = try reference.resolve(in: scope)
                    if case .string(let string) = value { text += string } else { text += value.serializedText }
                }
            }
            return .string(text)
        case .object(let members):
            var rendered: [String: JSONValue] = [:]
            for (key, member) in members { rendered[key] = try member.render(in: scope) }
            return .object(rendered)
        case .array(let items):
            var rendered: [JSONValue] = []
            rendered.reserveCapacity(items.count)
            for item in items { rendered.append(try item.render(in: scope)) }
            return .array(rendered)
        }
    }
}
