import CapHostCore

/// Generates one tool per method of every slot that has a loaded provider.
///
/// A call goes to the slot's current winner, so a slot's tools are the union
/// of its providers' methods; each method's schema and description come from
/// the active provider when it has the method (else from the best-ranked
/// provider that does). The description names the active provider, so a swap
/// changes it and clients hear `notifications/tools/list_changed`.
enum MCPCapabilityTools {
    /// A provider's declaration of one capability, with its plugin.
    private struct Offer {
        let capability: CapabilityDescriptor
        let plugin: PluginDescriptor
    }

    static func generate(from host: CapabilityHost, reserved: Set<String>) -> [MCPTool] {
        var offers: [SlotKey: [CapabilityID: Offer]] = [:]
        for report in host.plugins() where report.state == .loaded {
            guard let descriptor = report.descriptor else { continue }
            let serving = Set(report.capabilities)
            for capability in descriptor.capabilities where serving.contains(capability.id.description) {
                offers[capability.id.slot, default: [:]][capability.id] = Offer(capability: capability, plugin: descriptor)
            }
        }
        var drafts: [(key: CapabilityMethodKey, make: (String) -> MCPTool)] = []
        for explanation in host.capabilities() {
            guard let providers = offers[explanation.slot], !providers.isEmpty else { continue }
            let active = explanation.active.flatMap(CapabilityID.init(parsing:))
            // Preference: the active provider, then the explanation's ranking, then id order.
            var order: [CapabilityID] = []
            for id in [active].compactMap({ $0 }) + explanation.candidates.compactMap({ CapabilityID(parsing: $0.id) })
                + providers.keys.sorted() where providers[id] != nil && !order.contains(id) {
                order.append(id)
            }
            var chosen: [String: (MethodDescriptor, CapabilityID)] = [:]
            for id in order {
                for method in providers[id]!.capability.methods where chosen[method.name] == nil {
                    chosen[method.name] = (method, id)
                }
            }
            for (name, (method, source)) in chosen {
                let key = CapabilityMethodKey(slot: explanation.slot, method: name)
                let holders = order.filter { id in providers[id]!.capability.methods.contains { $0.name == name } }
                let description = describe(method: method, source: providers[source]!, slot: explanation.slot,
                                           active: active.map { ($0, providers[$0]) }, holders: holders,
                                           candidates: providers.keys.sorted())
                let (schema, wraps) = MCPToolInputSchema.shape(method.inputSchema)
                drafts.append((key, { toolName in
                    MCPTool(name: toolName, title: "\(name) (\(explanation.slot))", description: description,
                            inputSchema: schema, target: .capability(key, wrapsPayload: wraps))
                }))
            }
        }
        let names = MCPToolNaming.names(for: drafts.map(\.key), reserved: reserved)
        return drafts.sorted { $0.key < $1.key }.map { $0.make(names[$0.key]!) }
    }

    private static func describe(method: MethodDescriptor, source: Offer, slot: SlotKey,
                                 active: (CapabilityID, Offer?)?, holders: [CapabilityID],
                                 candidates: [CapabilityID]) -> String {
        var text = method.description.isEmpty ? "Calls \(method.name) on \(slot)." : method.description
        text += "\n\nCapability \(slot)"
        if !source.capability.description.isEmpty { text += " (\(source.capability.description))" }
        text += ", method \(method.name). "
        switch active {
        case let (id, offer?)? where holders.contains(id):
            text += "Served now by \(id) (plugin \(offer.plugin.name) \(offer.plugin.version))."
        case let (id, _)?:
            text += "The active provider \(id) lacks this method: calls fail until one of \(holders.map(\.provider).joined(separator: ", ")) is active."
        case nil:
            text += "No provider can serve the slot right now."
        }
        text += " Providers: \(candidates.map(\.provider).joined(separator: ", "))."
        return text
    }
}
