import CapHostCore

/// Checks an invoke payload against the target method's input schema before
/// the plugin sees it: the only place the host looks inside a payload.
enum PayloadValidation {
    /// Validates against the schema of the provider the call would reach now.
    /// A target or method that does not resolve is left to the invoke, which
    /// names what is missing.
    static func validate(_ payload: [UInt8], for reference: CapabilityReference, method: String, host: CapabilityHost,
                         validator: JSONSchemaValidator = .shared) throws {
        let provider: CapabilityID? = switch reference {
        case .slot(let slot): host.resolve(slot)
        case .provider(let id): id
        }
        guard let provider, let schema = host.methods(of: provider)?.first(where: { $0.name == method })?.inputSchema else { return }
        do throws(SchemaValidationError) {
            try validator.validate(payload: payload, against: schema)
        } catch {
            switch error {
            case .invalidJSON(let parse):
                throw APIError.badRequest("invalid_json", "the payload for \(provider) \(method) is not JSON: \(parse.description)",
                                          extra: ["line": "\(parse.line)", "column": "\(parse.column)"])
            case .violations(let violations):
                var extra = ["provider": provider.description]
                if let first = violations.first {
                    extra["path"] = first.path
                    extra["expected"] = first.expected
                    extra["found"] = first.found
                }
                throw APIError.badRequest("schema_violation",
                    "the payload does not match the input schema of \(provider) \(method): \(error.description)", extra: extra)
            case .invalidSchema(let definition):
                throw APIError(.internalServerError, code: "invalid_schema",
                               message: "\(provider) declares an unusable input schema for \(method): \(definition.description)",
                               extra: ["provider": provider.description])
            }
        }
    }
}
