import ArgumentParser
import Foundation

/// `caphost`: run and operate the capability plugin host.
@main
struct CapHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caphost",
        abstract: "A plugin host that loads C-ABI capability plugins, resolves each request to the best provider, and hot-swaps providers without a restart.",
        discussion: """
        Plugins are shared libraries exporting cap_plugin_entry_v1 (see \
        PluginABI/include/caphost_plugin.h). Drop them into plugins.d/ while \
        `caphost serve` runs and they serve within a blink.

        Start here:
          caphost new-plugin hello --lang c     write a plugin scaffold
          caphost check ./libhello.so           conformance report before shipping
          caphost serve                         load and watch plugins.d/

        Operate a running host (it is found through --url/--token, \
        CAPHOST_URL/CAPHOST_TOKEN, or the state folder .caphost/ that `caphost \
        serve` writes):
          caphost plugins                       what loaded, what failed and why
          caphost explain adapter:notifier      why a slot picks its provider
          caphost invoke adapter:echo echo '{"text":"hi"}'
          caphost swap adapter:notifier outbox  switch without dropping a call
          caphost events --follow               watch loads, swaps and failures live

        Exit status of the client commands: 0 ok, 1 the host refused or failed the \
        request, 2 usage error, 3 no host could be reached.
        """,
        subcommands: [
            ServeCommand.self, CheckCommand.self, NewPluginCommand.self,
            PluginsCommand.self, CapabilitiesCommand.self, ResolveCommand.self, ExplainCommand.self,
            InvokeCommand.self, SwapCommand.self, PinCommand.self, UnpinCommand.self,
            DrainCommand.self, ResumeCommand.self, EventsCommand.self, RunCommand.self, RunsCommand.self,
            DiagramCommand.self, MCPCommand.self,
        ])

    /// Parses and runs like ArgumentParser's own `main`, but with the exit statuses
    /// the client commands document: usage errors exit 2 (not 64), a client
    /// failure prints its message and exits 1, 2 or 3.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as ClientCommandFailure {
            FileHandle.standardError.write(Data("caphost: \(failure.description)\n".utf8))
            Foundation.exit(failure.exitCode.rawValue)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
