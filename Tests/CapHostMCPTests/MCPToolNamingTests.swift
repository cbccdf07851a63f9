import CapHostCore
@testable import CapHostMCP
import Testing

/// Tool names every client accepts (`^[a-zA-Z0-9_-]{1,64}$`), unique and
/// independent of the order methods were seen in.
@Suite struct MCPToolNamingTests {
    func key(_ domain: String, _ category: String, _ method: String) -> CapabilityMethodKey {
        CapabilityMethodKey(slot: SlotKey(domain: domain, category: category), method: method)
    }

    @Test func plainNamesUseDoubleUnderscores() {
        let send = key("adapter", "notifier", "send")
        #expect(MCPToolNaming.names(for: [send], reserved: []) == [send: "adapter__notifier__send"])
    }

    @Test func dotsBecomeUnderscoresAndCollisionsGetAStableHash() {
        let dotted = key("adapter", "registry", "list.adapters")
        let underscored = key("adapter", "registry", "list_adapters")
        let plain = key("adapter", "registry", "heartbeat")
        let names = MCPToolNaming.names(for: [dotted, underscored, plain], reserved: [])
        #expect(names[plain] == "adapter__registry__heartbeat")
        #expect(names[dotted] != names[underscored])
        #expect(names[dotted]?.hasPrefix("adapter__registry__list_adapters_") == true)
        #expect(names[underscored]?.hasPrefix("adapter__registry__list_adapters_") == true)
        // Same set in another order: same names.
        #expect(MCPToolNaming.names(for: [plain, underscored, dotted], reserved: []) == names)
        for name in names.values { #expect(MCPToolNaming.isValid(name), "\(name)") }
    }

    @Test func overlongNamesAreCutAndHashed() {
        let long = key(String(repeating: "d", count: 40), String(repeating: "c", count: 40), String(repeating: "m", count: 40))
        let other = key(String(repeating: "d", count: 40), String(repeating: "c", count: 40), String(repeating: "m", count: 39) + "n")
        let names = MCPToolNaming.names(for: [long, other], reserved: [])
        #expect(names[long]!.utf8.count == 64)
        #expect(names[other]!.utf8.count == 64)
        #expect(names[long] != names[other])
        #expect(MCPToolNaming.isValid(names[long]!) && MCPToolNaming.isValid(names[other]!))
    }

    @Test func reservedNamesAreNeverHandedOut() {
        let method = key("a", "b", "c")
        let names = MCPToolNaming.names(for: [method], reserved: ["a__b__c"])
        #expect(names[method] != "a__b__c")
        #expect(names[method]?.hasPrefix("a__b__c_") == true)
    }

    @Test func validity() {
        #expect(MCPToolNaming.isValid("adapter__bench__echo"))
        #expect(!MCPToolNaming.isValid("adapter.bench.echo"))
        #expect(!MCPToolNaming.isValid(""))
        #expect(!MCPToolNaming.isValid(String(repeating: "a", count: 65)))
        #expect(MCPToolNaming.hashText("adapter:x/y") == MCPToolNaming.hashText("adapter:x/y"))
        #expect(MCPToolNaming.hashText("").count == 8)
    }
}
