/// How `create` and the first health check of an admitted plugin ended.
enum PluginInstantiation: Sendable {
    /// A live instance that answered its health check.
    case created(PluginInstance, HealthObservation)
    /// No instance to register (any that was created has been destroyed, unless it hung).
    case failed(PluginLoadError, quarantine: Bool)
}
