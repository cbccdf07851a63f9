import CapPluginABI

/// The entry points of an isolated plugin image as the host calls them: C functions whose
/// instance pointer is the `IsolatedPluginProcess`, each forwarding over a call channel.
/// The call path (`Invoker`) cannot tell them from a mapped plugin's.
enum IsolatedEntryPoints {
    static func process(_ instance: UnsafeMutableRawPointer?) -> IsolatedPluginProcess {
        Unmanaged<IsolatedPluginProcess>.fromOpaque(instance!).takeUnretainedValue()
    }

    /// Never called: `PluginLoader.create` creates isolated instances through the process,
    /// which `create`'s signature cannot name.
    static let create: cap_create_fn = { _, _, _, _, _ in CAP_INTERNAL }

    static let invoke: cap_invoke_fn = { instance, capability, method, payload, deadline, call, out in
        let process = process(instance)
        let key = call.map { HostServiceTable.pointer.pointee.call_idempotency_key($0) } ?? cap_str(ptr: nil, len: 0)
        let keyBytes = UnsafeRawBufferPointer(start: key.ptr, count: key.ptr == nil ? 0 : key.len)
        let payloadBytes = UnsafeRawBufferPointer(start: payload.ptr, count: payload.ptr == nil ? 0 : payload.len)
        return process.exchange(IsolationFrame(.invoke, a: capability, b: method, value: deadline), [keyBytes, payloadBytes],
                                deadline: deadline, call: call, what: process.callDescription(capability: capability, method: method),
                                out: out)
    }

    static let health: cap_health_fn = { instance, call in
        process(instance).health(call: call)
    }

    static let quiesce: cap_quiesce_fn = { instance in
        process(instance).quiesce()
    }

    static let destroy: cap_destroy_fn = { instance in
        process(instance).destroy()
    }

    static let table = PluginEntryPoints(create: create, invoke: invoke, health: health, quiesce: quiesce, destroy: destroy)
}

extension IsolatedPluginProcess {
    /// "invoke of adapter:notifier:mailgun send", for messages.
    func callDescription(capability: UInt32, method: UInt32) -> String {
        guard Int(capability) < descriptor.capabilities.count else { return "invoke of capability \(capability)" }
        let entry = descriptor.capabilities[Int(capability)]
        let name = Int(method) < entry.methods.count ? entry.methods[Int(method)].name : "method \(method)"
        return "invoke of \(entry.id) \(name)"
    }
}
