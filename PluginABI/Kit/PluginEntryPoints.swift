import CapPluginABI

/// The C-convention functions every PluginKit descriptor points at (except `create`, which is
/// per type: see ``CreateEntryPoints``). They bridge the host's synchronous calls to the
/// plugin's async methods with ``BlockingInvocation`` and turn every thrown error into a status
/// plus `set_error`: nothing unwinds across the boundary.
enum PluginEntryPoints {
    /// `create` for the type registered in `slot`.
    static func create(slot: Int, api: UnsafePointer<cap_host_api>?, host: OpaquePointer?, config: cap_str,
                       call: OpaquePointer?, instance: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> cap_status {
        let services = HostServicesView(api: api, host: host)
        guard let instance else {
            services.setError(call, .invalidArgument("create was called without an instance out-pointer"))
            return CAP_INVALID_ARGUMENT
        }
        let registration = ExportRegistry.registration(slot: slot)
        let context = PluginContext(config: config.bytes, services: services)
        do {
            let plugin = try registration.makePlugin(context)
            let live = ExportedInstance(plugin: plugin, context: context, capabilities: registration.capabilities)
            instance.pointee = Unmanaged.passRetained(live).toOpaque()
            return CAP_OK
        } catch {
            let failure = PluginError(converting: error)
            services.setError(call, failure)
            return failure.status == .ok ? CAP_INTERNAL : failure.status.cValue
        }
    }

    /// `invoke`: routes by index, runs ``CapabilityPlugin/invoke(_:)`` and hands back its bytes.
    static let invoke: cap_invoke_fn = { pointer, capabilityIndex, methodIndex, payload, deadline, call, out in
        guard let pointer, let out else { return CAP_INVALID_ARGUMENT }
        let instance = ExportedInstance.from(pointer)
        let services = instance.context.services
        guard Int(capabilityIndex) < instance.capabilities.count else {
            services.setError(call, .unimplemented(
                "capability index \(capabilityIndex) does not exist: the plugin declares \(instance.capabilities.count)"))
            return CAP_UNIMPLEMENTED
        }
        let exported = instance.capabilities[Int(capabilityIndex)]
        guard Int(methodIndex) < exported.methodNames.count else {
            services.setError(call, .unimplemented(
                "method index \(methodIndex) is not declared by capability '\(exported.capability.id)' "
                    + "(it declares \(exported.methodNames.joined(separator: ", ")))"))
            return CAP_UNIMPLEMENTED
        }
        if deadline != 0 {
            let now = MonotonicClock.nowNanoseconds()
            if now >= deadline {
                services.setError(call, .timeout(
                    "the deadline passed \(PluginDeadline.milliseconds(now - deadline)) before the call started"))
                return CAP_TIMEOUT
            }
        }
        let request = PluginRequest(exported: exported, methodIndex: Int(methodIndex), payload: payload.bytes,
                                    deadline: deadline == 0 ? nil : PluginDeadline(monotonicNanoseconds: deadline),
                                    idempotencyKey: services.idempotencyKey(of: call))
        let (outcome, cancelledAtDeadline) = BlockingInvocation.run(
            InvokeWork(plugin: instance.plugin, request: request), call: call, deadlineNanoseconds: deadline)
        switch outcome {
        case .success(let response):
            guard ResponseBuffer.fill(out, with: response.bytes) else {
                services.setError(call, .internal("out of memory copying a \(response.bytes.count)-byte response"))
                return CAP_INTERNAL
            }
            return CAP_OK
        case .failure(let error):
            var failure = PluginError(converting: error)
            if cancelledAtDeadline && failure.status != .timeout {
                failure = .timeout("the deadline passed and the call was cancelled (\(failure.message))")
            }
            services.setError(call, failure)
            return failure.status.cValue
        }
    }

    /// `health`: runs ``CapabilityPlugin/health()``.
    static let health: cap_health_fn = { pointer, call in
        guard let pointer else { return CAP_INVALID_ARGUMENT }
        let instance = ExportedInstance.from(pointer)
        let (outcome, _) = BlockingInvocation.run(HealthWork(plugin: instance.plugin), call: call, deadlineNanoseconds: 0)
        guard let error = outcome else { return CAP_OK }
        let failure = PluginError(converting: error)
        instance.context.services.setError(call, failure)
        return failure.status.cValue
    }

    /// `quiesce`: runs ``CapabilityPlugin/quiesce()``.
    static let quiesce: cap_quiesce_fn = { pointer in
        guard let pointer else { return }
        _ = BlockingInvocation.run(QuiesceWork(plugin: ExportedInstance.from(pointer).plugin), call: nil, deadlineNanoseconds: 0)
    }

    /// `destroy`: runs ``CapabilityPlugin/shutdown()`` and drops the kit's reference to the instance.
    static let destroy: cap_destroy_fn = { pointer in
        guard let pointer else { return }
        _ = BlockingInvocation.run(ShutdownWork(plugin: ExportedInstance.from(pointer).plugin), call: nil, deadlineNanoseconds: 0)
        Unmanaged<ExportedInstance>.fromOpaque(pointer).release()
    }

    /// `invoke`'s work: the plugin's result or the error it threw.
    private struct InvokeWork: BlockingWork {
        let plugin: any CapabilityPlugin
        let request: PluginRequest

        func perform() async -> Result<PluginResponse, any Error> {
            do {
                return .success(try await plugin.invoke(request))
            } catch {
                return .failure(error)
            }
        }
    }

    /// `health`'s work: nil when healthy, else the error thrown.
    private struct HealthWork: BlockingWork {
        let plugin: any CapabilityPlugin

        func perform() async -> (any Error)? {
            do {
                try await plugin.health()
                return nil
            } catch {
                return error
            }
        }
    }

    /// `quiesce`'s work.
    private struct QuiesceWork: BlockingWork {
        let plugin: any CapabilityPlugin
        func perform() async { await plugin.quiesce() }
    }

    /// `destroy`'s work.
    private struct ShutdownWork: BlockingWork {
        let plugin: any CapabilityPlugin
        func perform() async { await plugin.shutdown() }
    }
}
