/// Every fuzz target, by name.
public enum FuzzTargets {
    /// All targets, in the order `run.sh` runs them.
    public static let all: [FuzzTarget] = [
        DescriptorFuzzTarget.target, ELFFuzzTarget.target, SettingsFuzzTarget.target, PluginConfigFuzzTarget.target,
        JSONFuzzTarget.target, SchemaFuzzTarget.target, WorkflowFuzzTarget.target, MCPFuzzTarget.target,
        AdminHTTPFuzzTarget.target,
    ]

    /// The target called `name`, if there is one.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
