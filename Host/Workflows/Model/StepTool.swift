import CapHostCore

/// What a step calls, as its `tool` names it.
public enum StepTool: Sendable, Hashable, CustomStringConvertible {
    /// `DOMAIN:CATEGORY/METHOD` (the slot's winner) or `DOMAIN:CATEGORY:PROVIDER/METHOD`,
    /// or the MCP tool name `DOMAIN__CATEGORY__METHOD` of the same method.
    case capability(CapabilityReference, method: String)
    /// One of the seed's registry tools (`oneiric_list_adapters`, …), answered by the host.
    case registry(RegistryQuery)
    /// Any other name: the method of that name, when exactly one loaded slot declares it.
    case method(String)

    /// Reads a `tool` value; nil when it cannot name anything.
    init?(parsing text: String) {
        if let query = RegistryQuery(rawValue: text) {
            self = .registry(query)
            return
        }
        if let slash = text.firstIndex(of: "/") {
            let method = String(text[text.index(after: slash)...])
            guard !method.isEmpty, !method.contains("/"), let target = CapabilityReference(parsing: String(text[..<slash])) else { return nil }
            self = .capability(target, method: method)
            return
        }
        let parts = text.components(separatedBy: "__")
        if parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) {
            self = .capability(.slot(SlotKey(domain: parts[0], category: parts[1])), method: parts[2])
            return
        }
        guard !text.isEmpty, text.utf8.allSatisfy({ WorkflowReferenceParser.isNameByte($0) || $0 == UInt8(ascii: ".") }) else { return nil }
        self = .method(text)
    }

    public var description: String {
        switch self {
        case .capability(let reference, let method): "\(reference)/\(method)"
        case .registry(let query): query.rawValue
        case .method(let name): name
        }
    }
}
