import GRPCCore

/// The `AdapterRegistry` service's unary methods, by their wire names.
///
/// The proto package is part of every method's path
/// (`/<package>.AdapterRegistry/ListAdapters`) and is a setting on both sides, so
/// methods are addressed by descriptor rather than through generated stubs.
public enum RegistryMethod: String, Sendable, CaseIterable {
    case listAdapters = "ListAdapters"
    case getAdapter = "GetAdapter"
    case healthCheck = "HealthCheck"
    case heartbeat = "Heartbeat"
    case storeAdapter = "StoreAdapter"
    case removeAdapter = "RemoveAdapter"

    /// The package the seed's Mahavishnu client used (REFERENCE §1).
    public static let defaultPackage = "oneiric.registry.v1"

    /// `<package>.AdapterRegistry`: the first part of every method path.
    public static func serviceName(package: String) -> String { "\(package).AdapterRegistry" }

    /// This method under `package`.
    public func descriptor(package: String) -> MethodDescriptor {
        MethodDescriptor(fullyQualifiedService: Self.serviceName(package: package), method: rawValue, type: .unary)
    }

    /// Whether `package` can be part of a method path: dot-separated proto identifiers.
    public static func isValidPackage(_ package: String) -> Bool {
        let parts = package.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            guard let first = part.first, first == "_" || first.isASCII && first.isLetter else { return false }
            return part.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }
}
