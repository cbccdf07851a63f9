import CCapHostSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One end of a socket pair between the host and an isolated plugin's process, speaking
/// `IsolationFrame`s. Sending gathers header, field lengths and fields in one `writev`;
/// receiving reads into a buffer that grows to the largest frame seen (up to `maxBodyBytes`).
/// A channel is used by one thread at a time (callers serialise with `lock` where several
/// threads share it); only `close` may come from another thread.
final class IsolationChannel: @unchecked Sendable {
    /// Why a send or receive did not complete.
    enum Failure: Error, Equatable {
        /// The other end closed (its process ended or dropped the channel).
        case closed
        /// The deadline passed first.
        case timedOut
        /// The bytes are not a frame: what was wrong.
        case malformed(String)
        /// A frame larger than `maxBodyBytes` arrived; its bytes were read and dropped, so the
        /// channel is still in step.
        case tooLarge(IsolationFrame, Int)
        /// A system call failed: its errno.
        case system(Int32)
    }

    let fd: Int32
    /// Largest body accepted from the other end.
    let maxBodyBytes: Int
    /// Whether receives collect descriptors passed on this socket (the child's control channel).
    let receivesDescriptors: Bool
    /// Serialises threads that share the channel (nested calls from several plugin threads).
    let lock = Mutex<Void>(())
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    /// Descriptors received and not yet claimed by a `channel` frame.
    private(set) var receivedDescriptors: [Int32] = []
    private let closed = Atomic<Bool>(false)

    init(fd: Int32, maxBodyBytes: Int, receivesDescriptors: Bool = false) {
        self.fd = fd
        self.maxBodyBytes = maxBodyBytes
        self.receivesDescriptors = receivesDescriptors
        self.capacity = 64 << 10
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        close()
        buffer.deallocate()
        for descriptor in receivedDescriptors { Glibc.close(descriptor) }
    }

    /// Closes the socket once; a thread blocked in `receive` then sees the end.
    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }

    /// Shuts the socket down without releasing the descriptor (safe while another thread uses it).
    func shutDown() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Takes the oldest descriptor received, if any.
    func takeDescriptor() -> Int32? {
        receivedDescriptors.isEmpty ? nil : receivedDescriptors.removeFirst()
    }

    // MARK: - Sending

    /// Sends `frame` with `fields` as its body.
    func send(_ frame: IsolationFrame, _ fields: UnsafeRawBufferPointer...) throws(Failure) {
        try send(frame, fields: fields)
    }

    func send(_ frame: IsolationFrame, fields: [UnsafeRawBufferPointer]) throws(Failure) {
        var bodyLength = 0
        for field in fields { bodyLength += 4 + field.count }
        guard bodyLength <= UInt32.max else { throw .malformed("a frame body of \(bodyLength) bytes does not fit its 32-bit length") }
        // Header and every field length in one small block; fields point at the caller's bytes.
        let prefixBytes = IsolationFrame.headerSize + 4 * fields.count
        try withUnsafeTemporaryAllocation(byteCount: prefixBytes, alignment: 8) { prefix throws(Failure) in
            let base = prefix.baseAddress!
            frame.writeHeader(bodyLength: bodyLength, to: base)
            var vectors: [iovec] = []
            vectors.reserveCapacity(1 + 2 * fields.count)
            vectors.append(iovec(iov_base: base, iov_len: IsolationFrame.headerSize))
            for (index, field) in fields.enumerated() {
                let lengthAt = base + IsolationFrame.headerSize + 4 * index
                lengthAt.storeBytes(of: UInt32(field.count), as: UInt32.self)
                vectors.append(iovec(iov_base: lengthAt, iov_len: 4))
                if field.count > 0 { vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: field.baseAddress!), iov_len: field.count)) }
            }
            try writeAll(&vectors)
        }
    }

    /// Sends a frame without a body with `descriptor` attached (the control channel's `channel`).
    func send(_ frame: IsolationFrame, passing descriptor: Int32) throws(Failure) {
        var header = [UInt8](repeating: 0, count: IsolationFrame.headerSize)
        header.withUnsafeMutableBytes { frame.writeHeader(bodyLength: 0, to: $0.baseAddress!) }
        let sent = header.withUnsafeBytes { caphost_send_with_fd(fd, $0.baseAddress, $0.count, descriptor) }
        if sent < 0 { throw errno == EPIPE || errno == ECONNRESET ? .closed : .system(errno) }
    }

    private func writeAll(_ vectors: inout [iovec]) throws(Failure) {
        var first = 0
        while first < vectors.count {
            let written = vectors.withUnsafeMutableBufferPointer { all in
                // sendmsg for MSG_NOSIGNAL: a closed peer is an error here, never SIGPIPE.
                var message = msghdr()
                message.msg_iov = all.baseAddress! + first
                message.msg_iovlen = min(all.count - first, 1024)
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw errno == EPIPE || errno == ECONNRESET ? .closed : .system(errno)
            }
            var remaining = written
            while first < vectors.count && remaining >= vectors[first].iov_len {
                remaining -= vectors[first].iov_len
                first += 1
            }
            if remaining > 0 {
                vectors[first].iov_base = vectors[first].iov_base! + remaining
                vectors[first].iov_len -= remaining
            }
        }
    }

    // MARK: - Receiving

    /// Receives the next frame, waiting until `deadline` (CLOCK_MONOTONIC ns; 0 = no limit).
    /// The fields are valid until the next `receive`.
    func receive(deadline: UInt64 = 0) throws(Failure) -> ReceivedFrame {
        // Bytes of a frame already read are consumed only once the whole frame is here.
        try fill(atLeast: IsolationFrame.headerSize, deadline: deadline)
        guard let (frame, bodyLength) = IsolationFrame.readHeader(buffer + start) else {
            throw .malformed("unknown frame kind \(UnsafeRawPointer(buffer + start).loadUnaligned(fromByteOffset: 4, as: UInt16.self))")
        }
        guard bodyLength <= maxBodyBytes else {
            start += IsolationFrame.headerSize
            try discard(bodyLength, deadline: deadline)
            throw .tooLarge(frame, bodyLength)
        }
        try fill(atLeast: IsolationFrame.headerSize + bodyLength, deadline: deadline)
        let body = UnsafeRawBufferPointer(start: buffer + start + IsolationFrame.headerSize, count: bodyLength)
        start += IsolationFrame.headerSize + bodyLength
        var fields: [UnsafeRawBufferPointer] = []
        var offset = 0
        while offset < body.count {
            guard body.count - offset >= 4 else { throw .malformed("a \(frame.kind) frame ends inside a field length") }
            let length = Int(body.baseAddress!.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            offset += 4
            guard length <= body.count - offset else {
                throw .malformed("a \(frame.kind) frame's field of \(length) bytes runs past its body (\(body.count - offset) left)")
            }
            fields.append(UnsafeRawBufferPointer(rebasing: body[offset..<(offset + length)]))
            offset += length
        }
        return ReceivedFrame(frame: frame, fields: fields)
    }

    /// Reads and drops the next `count` bytes (the body of a frame too large to keep).
    private func discard(_ count: Int, deadline: UInt64) throws(Failure) {
        var remaining = count
        while remaining > 0 {
            if end == start { try fill(atLeast: 1, deadline: deadline) }
            let dropped = min(remaining, end - start)
            start += dropped
            remaining -= dropped
        }
    }

    /// Reads until at least `count` unconsumed bytes are buffered.
    private func fill(atLeast count: Int, deadline: UInt64) throws(Failure) {
        if end - start >= count { return }
        if start > 0 {
            // Move the partial frame to the front (frames are read whole before the next one).
            if end > start { (buffer).copyMemory(from: buffer + start, byteCount: end - start) }
            end -= start
            start = 0
        }
        if count > capacity {
            let grown = max(count, capacity * 2)
            let larger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            larger.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = larger
            capacity = grown
        }
        while end < count {
            if deadline != 0 {
                let now = caphost_monotonic_ns()
                guard now < deadline else { throw .timedOut }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
                let ready = poll(&poller, 1, milliseconds)
                if ready < 0 { if errno == EINTR { continue }; throw .system(errno) }
                if ready == 0 { continue }
            }
            let received: Int
            if receivesDescriptors {
                var descriptors = [Int32](repeating: -1, count: 8)
                var descriptorCount: Int32 = 0
                received = caphost_recv_with_fds(fd, buffer + end, capacity - end, &descriptors, 8, &descriptorCount)
                receivedDescriptors += descriptors.prefix(Int(descriptorCount))
            } else {
                received = read(fd, buffer + end, capacity - end)
            }
            if received < 0 {
                if errno == EINTR { continue }
                throw errno == ECONNRESET || errno == EBADF ? .closed : .system(errno)
            }
            if received == 0 { throw .closed }
            end += received
        }
    }
}
