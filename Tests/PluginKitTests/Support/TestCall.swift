import CapPluginABI
import Synchronization

/// A `cap_call` for the tests: what `set_error` attached to one call.
final class TestCall: Sendable {
    private let errors = Mutex<[(status: cap_status, message: String)]>([])

    /// The `cap_call *` to pass: this object, unretained (keep it alive across the call).
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    /// The handle as an address, to compare with what a nested call received.
    var address: UInt { UInt(bitPattern: UnsafeRawPointer(handle)) }

    /// Every set_error in order.
    var recordedErrors: [(status: cap_status, message: String)] { errors.withLock { $0 } }

    /// The last set_error (the host keeps the last one).
    var lastError: (status: cap_status, message: String)? { recordedErrors.last }

    /// `host_api->set_error`.
    static let setErrorService: @convention(c) (OpaquePointer?, cap_status, cap_str) -> Void = { call, status, message in
        guard let call else { return }
        let testCall = Unmanaged<TestCall>.fromOpaque(UnsafeRawPointer(call)).takeUnretainedValue()
        testCall.errors.withLock { $0.append((status, message.string)) }
    }
}
