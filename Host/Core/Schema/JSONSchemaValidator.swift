import Synchronization

/// Validates JSON payloads against schema text at the HTTP and MCP edges (the
/// core never parses payloads on the hot path). Compiled schemas are cached by
/// their text, so a method's schema is compiled once however often it is used.
public final class JSONSchemaValidator: Sendable {
    /// One validator for the whole process: schemas are shared by every edge.
    public static let shared = JSONSchemaValidator()

    /// At most this many violations are reported per payload.
    public let violationLimit: Int
    /// Distinct schema texts kept compiled.
    public let cacheCapacity: Int
    private let cache = Mutex<[String: Result<CompiledSchema, SchemaDefinitionError>]>([:])

    /// A validator keeping at most `cacheCapacity` compiled schemas and reporting at most `violationLimit` violations per payload.
    public init(cacheCapacity: Int = 1024, violationLimit: Int = 5) {
        self.cacheCapacity = max(1, cacheCapacity)
        self.violationLimit = max(1, violationLimit)
    }

    /// The compiled form of `schema` (cached, failures too).
    public func compiled(_ schema: String) throws(SchemaDefinitionError) -> CompiledSchema {
        if let cached = cache.withLock({ $0[schema] }) { return try cached.get() }
        let result: Result<CompiledSchema, SchemaDefinitionError>
        do {
            result = .success(try CompiledSchema(schema))
        } catch {
            result = .failure(error)
        }
        cache.withLock { cache in
            // Plugins declare a bounded set of schemas; evicting an arbitrary entry
            // only ever costs one recompilation.
            if cache.count >= cacheCapacity, let victim = cache.keys.first { cache[victim] = nil }
            cache[schema] = result
        }
        return try result.get()
    }

    /// Validates JSON bytes against schema text (`{}` accepts anything without parsing).
    public func validate(payload: [UInt8], against schema: String) throws(SchemaValidationError) {
        let compiled: CompiledSchema
        do {
            compiled = try self.compiled(schema)
        } catch {
            throw .invalidSchema(error)
        }
        try compiled.validate(payload: payload, limit: violationLimit)
    }

    /// Validates a parsed value against schema text.
    public func validate(_ value: JSONValue, against schema: String) throws(SchemaValidationError) {
        let compiled: CompiledSchema
        do {
            compiled = try self.compiled(schema)
        } catch {
            throw .invalidSchema(error)
        }
        try compiled.validate(value, limit: violationLimit)
    }

    /// Schemas compiled right now (for tests and metrics).
    public var cachedSchemaCount: Int { cache.withLock { $0.count } }
}
