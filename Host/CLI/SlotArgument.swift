import ArgumentParser
import CapHostCore

/// The `SLOT` argument (`domain:category`) of the commands that act on a slot,
/// checked while parsing so a bad one is a usage error.
struct SlotArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The slot, domain:category.", valueName: "slot"))
    var slot: String

    func validate() throws { _ = try key() }

    /// The parsed slot.
    func key() throws -> SlotKey { try CapabilityArguments.slot(slot) }
}
