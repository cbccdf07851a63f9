import CapPluginABI

/// The `create` functions, one per registration slot.
///
/// A C function pointer cannot carry a Swift type, and `create` receives nothing that says which
/// descriptor it was reached through. So each plugin type that calls
/// ``PluginExport/descriptor(for:)`` in an image takes the next slot, and its descriptor points
/// at that slot's `create`. A plugin library registers one type; a test binary may register up
/// to ``capacity``.
enum CreateEntryPoints {
    /// How many plugin types one image can export.
    static var capacity: Int { table.count }

    /// `create` for each slot, in slot order.
    static let table: [cap_create_fn] = [
        { PluginEntryPoints.create(slot: 0, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 1, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 2, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 3, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 4, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 5, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 6, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 7, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 8, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 9, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 10, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 11, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 12, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 13, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 14, api: $0, host: $1, config: $2, call: $3, instance: $4) },
        { PluginEntryPoints.create(slot: 15, api: $0, host: $1, config: $2, call: $3, instance: $4) },
    ]
}
