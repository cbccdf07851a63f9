import ArgumentParser
import CapHostCore

/// Parses the slot, provider and target arguments of the client commands, with
/// usage errors that show the expected form.
enum CapabilityArguments {
    /// `domain:category` (or `domain/category`).
    static func slot(_ text: String, argument: String = "SLOT") throws -> SlotKey {
        if let slot = SlotKey(parsing: text) { return slot }
        if let id = CapabilityID(parsing: text) {
            throw ValidationError("\(argument) is a slot, domain:category; \"\(text)\" names one provider of the slot \(id.slot)")
        }
        throw ValidationError("\(argument) must be a slot such as adapter:notifier (domain:category), found \"\(text)\"")
    }

    /// `domain:category:provider` (or the `/` form).
    static func provider(_ text: String, argument: String = "ID") throws -> CapabilityID {
        if let id = CapabilityID(parsing: text) { return id }
        if SlotKey(parsing: text) != nil {
            throw ValidationError("\(argument) must name one provider, domain:category:provider (such as \(text):mailgun), found the slot \"\(text)\"")
        }
        throw ValidationError("\(argument) must be a provider id such as adapter:notifier:mailgun (domain:category:provider), found \"\(text)\"")
    }

    /// A provider of `slot`: its short name (`mailgun`) or full id (`adapter:notifier:mailgun`).
    static func provider(_ text: String, of slot: SlotKey, argument: String = "PROVIDER") throws -> String {
        if let id = CapabilityID(parsing: text) {
            guard id.slot == slot else {
                throw ValidationError("\(argument) \"\(text)\" belongs to the slot \(id.slot), not \(slot)")
            }
            return id.provider
        }
        guard !text.isEmpty, !text.contains(":"), !text.contains("/") else {
            throw ValidationError("\(argument) must be a provider name such as mailgun (or \(slot):mailgun), found \"\(text)\"")
        }
        return text
    }

    /// `domain:category` (the slot's winner) or `domain:category:provider`.
    static func target(_ text: String) throws -> CapabilityReference {
        guard let reference = CapabilityReference(parsing: text) else {
            throw ValidationError("TARGET must be domain:category (the slot's active provider) or domain:category:provider, such as adapter:notifier or adapter:notifier:mailgun; found \"\(text)\"")
        }
        return reference
    }
}
