import ArgumentParser

/// `caphost`: run and operate the capability plugin host.
@main
struct CapHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caphost",
        abstract: "A plugin host that loads C-ABI capability plugins, resolves each request to the best provider, and hot-swaps providers without a restart.",
        discussion: """
        Plugins are shared libraries exporting cap_plugin_entry_v1 (see PluginABI/include/caphost_plugin.h).
        Drop them into plugins.d/ while `caphost serve` runs and they serve within a blink.

        Start here:
          caphost new-plugin hello --lang c     write a plugin scaffold
          caphost check ./libhello.so           conformance report before shipping
          caphost serve                         load and watch plugins.d/
        """,
        subcommands: [ServeCommand.self, CheckCommand.self, NewPluginCommand.self, MCPCommand.self])
}
