import CapPluginABI
import Synchronization

/// A `cap_call` for the tests: what `set_error` attached to one call, and the idempotency key
/// `call_idempotency_key` answers for it.
final class TestCall: Sendable {
    private let errors = Mutex<[(status: cap_status, message: String)]>([])
    /// The key's bytes, owned by the call (the service hands out a borrowed view of them).
    nonisolated(unsafe) private let keyStorage: UnsafeMutableBufferPointer<CChar>?
    private let keyLength: Int
    private let keyReads = Mutex(0)

    /// How many times a plugin asked for this call's key.
    var idempotencyKeyReads: Int { keyReads.withLock { $0 } }

    init(idempotencyKey: String? = nil) {
        let bytes = idempotencyKey.map { Array($0.utf8) } ?? []
        keyLength = bytes.count
        keyStorage = idempotencyKey.map { _ in
            let storage = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(1, bytes.count))
            _ = storage.initialize(from: bytes.map { CChar(bitPattern: $0) })
            return storage
        }
    }

    deinit { keyStorage?.deallocate() }

    /// The `cap_call *` to pass: this object, unretained (keep it alive across the call).
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    /// The handle as an address, to compare with what a nested call received.
    var address: UInt { UInt(bitPattern: UnsafeRawPointer(handle)) }

    /// Every set_error in order.
    var recordedErrors: [(status: cap_status, message: String)] { errors.withLock { $0 } }

    /// The last set_error (the host keeps the last one).
    var lastError: (status: cap_status, message: String)? { recordedErrors.last }

    /// `host_api->call_idempotency_key`.
    static let idempotencyKeyService: @convention(c) (OpaquePointer?) -> cap_str = { call in
        guard let call else { return cap_str(ptr: nil, len: 0) }
        let testCall = Unmanaged<TestCall>.fromOpaque(UnsafeRawPointer(call)).takeUnretainedValue()
        testCall.keyReads.withLock { $0 += 1 }
        guard let storage = testCall.keyStorage, testCall.keyLength > 0 else { return cap_str(ptr: nil, len: 0) }
        return cap_str(ptr: UnsafePointer(storage.baseAddress), len: testCall.keyLength)
    }

    /// `host_api->set_error`.
    static let setErrorService: @convention(c) (OpaquePointer?, cap_status, cap_str) -> Void = { call, status, message in
        guard let call else { return }
        let testCall = Unmanaged<TestCall>.fromOpaque(UnsafeRawPointer(call)).takeUnretainedValue()
        testCall.errors.withLock { $0.append((status, message.string)) }
    }
}
