extension PluginError {
    /// The status and message for any error a plugin threw: a ``PluginError`` as it is (an
    /// `.ok` status becomes `.internal`), anything else as `CAP_INTERNAL` with its description.
    init(converting error: any Error) {
        if let pluginError = error as? PluginError {
            self = pluginError.status == .ok
                ? PluginError(.internal, "a PluginError with status CAP_OK was thrown: \(pluginError.message)")
                : pluginError
        } else if error is CancellationError {
            self = PluginError(.internal, "the call was cancelled")
        } else {
            self = PluginError(.internal, "\(type(of: error)): \(String(describing: error))")
        }
    }
}
