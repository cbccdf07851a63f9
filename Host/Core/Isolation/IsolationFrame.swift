/// One message between the host and `caphost-runner --serve`: a fixed 32-byte header, then
/// `bodyLength` bytes of length-prefixed fields (a little-endian `UInt32` length, then the
/// bytes). Payloads travel as raw bytes: nothing is wrapped in JSON on the call path.
///
/// Both ends run on the same machine from the same build, so the header is in native byte
/// order; a frame whose length or fields do not add up is a protocol error that ends the child.
struct IsolationFrame: Equatable {
    /// What a frame is. Call channels carry one request from the host and, before its
    /// `result`, any nested calls the plugin makes under it; the control channel carries the
    /// child's greeting, its out-of-call services, their replies, and new call channels.
    enum Kind: UInt16 {
        // Child → host, control channel.
        /// The plugin loaded: fields [descriptor JSON]; `a` = 1 when it links the Swift runtime.
        case hello = 1
        /// The plugin did not load: fields [PluginLoadError JSON].
        case loadFailed = 2
        /// `log`: `a` = level; fields [message]. No reply.
        case log = 3
        /// `metric`: `a` = kind, `value` = the double's bits; fields [name, key, value, key, value …]. No reply.
        case metric = 4
        /// A service outside any call: `a` = request id, `b` = `Service`, `c` = its integer
        /// argument; fields per service. Answered by `serviceReply` with the same id.
        case serviceRequest = 5

        // Host → child, control channel.
        /// The answer to `serviceRequest` `a`: `status`; fields [body].
        case serviceReply = 20
        /// A new call channel: its socket rides on this frame (SCM_RIGHTS).
        case channel = 21

        // Host → child, call channel.
        /// `create`: fields [config JSON].
        case create = 40
        /// `invoke`: `a` = capability, `b` = method, `value` = deadline (ns, CLOCK_MONOTONIC);
        /// fields [idempotency key, payload].
        case invoke = 41
        case health = 42
        case quiesce = 43
        case destroy = 44
        /// The answer to `nestedCall`: `status`; fields [body or error document].
        case nestedReply = 45

        // Child → host, call channel.
        /// The request's outcome: `status`; `a` = the status given to `set_error`, `b` = 1 when
        /// `set_error` was called, `c` = the body's length; fields [error message, body].
        case result = 60
        /// `call` made under the request in progress: fields [target, method, payload].
        case nestedCall = 61
    }

    /// Services a plugin reaches outside a call (`serviceRequest.b`).
    enum Service: UInt32 {
        case keyValueGet = 1, keyValuePut, keyValueDelete, describeCapabilities, reportHealth, call
    }

    static let headerSize = 32

    var kind: Kind
    var status: Int32 = 0
    var a: UInt32 = 0
    var b: UInt32 = 0
    var c: UInt32 = 0
    var value: UInt64 = 0

    init(_ kind: Kind, status: Int32 = 0, a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, value: UInt64 = 0) {
        self.kind = kind
        self.status = status
        self.a = a
        self.b = b
        self.c = c
        self.value = value
    }

    /// Writes the header for a body of `bodyLength` bytes into `to` (32 bytes).
    func writeHeader(bodyLength: Int, to header: UnsafeMutableRawPointer) {
        header.storeBytes(of: UInt32(truncatingIfNeeded: bodyLength), toByteOffset: 0, as: UInt32.self)
        header.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt16.self)
        header.storeBytes(of: UInt16(0), toByteOffset: 6, as: UInt16.self)
        header.storeBytes(of: status, toByteOffset: 8, as: Int32.self)
        header.storeBytes(of: a, toByteOffset: 12, as: UInt32.self)
        header.storeBytes(of: b, toByteOffset: 16, as: UInt32.self)
        header.storeBytes(of: c, toByteOffset: 20, as: UInt32.self)
        header.storeBytes(of: value, toByteOffset: 24, as: UInt64.self)
    }

    /// Reads a header: the frame and its body length, or nil for an unknown kind.
    static func readHeader(_ header: UnsafeRawPointer) -> (IsolationFrame, Int)? {
        let length = header.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        guard let kind = Kind(rawValue: header.loadUnaligned(fromByteOffset: 4, as: UInt16.self)) else { return nil }
        let frame = IsolationFrame(kind,
                                   status: header.loadUnaligned(fromByteOffset: 8, as: Int32.self),
                                   a: header.loadUnaligned(fromByteOffset: 12, as: UInt32.self),
                                   b: header.loadUnaligned(fromByteOffset: 16, as: UInt32.self),
                                   c: header.loadUnaligned(fromByteOffset: 20, as: UInt32.self),
                                   value: header.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        return (frame, Int(length))
    }
}

/// A frame as received: its header and its fields, borrowed from the channel's buffer
/// until the next receive on that channel.
struct ReceivedFrame {
    let frame: IsolationFrame
    let fields: [UnsafeRawBufferPointer]

    /// Field `index`, or empty when the frame has fewer fields.
    func field(_ index: Int) -> UnsafeRawBufferPointer {
        index < fields.count ? fields[index] : UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// Field `index` as (lossy) UTF-8 text.
    func text(_ index: Int) -> String { String(decoding: field(index), as: UTF8.self) }
}
