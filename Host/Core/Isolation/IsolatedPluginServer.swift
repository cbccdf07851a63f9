import CapPluginABI
import CCapHostSupport
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The child's side of isolated mode (`caphost-runner --serve`): maps the plugin exactly as
/// the host would, greets the host with its descriptor on the control channel (fd 3), then
/// serves each call channel the host passes it on a thread of its own. The plugin gets a
/// `cap_host_api` whose services travel back to the host (`IsolatedHostServices`), so it
/// cannot tell it does not run in the host.
public final class IsolatedPluginServer: @unchecked Sendable {
    /// The one server of this process (a child serves one plugin instance).
    nonisolated(unsafe) static var current: IsolatedPluginServer!

    let control: IsolationChannel
    let controlWrite = Mutex<Void>(())
    let image: PluginImage
    /// Set by `create`, before any other request can arrive.
    nonisolated(unsafe) var instance: UnsafeMutableRawPointer?
    /// Out-of-call service requests waiting for their replies, by id.
    let waiters = Mutex<[UInt32: ServiceWaiter]>([:])
    let nextRequest = Atomic<UInt32>(1)

    private init(control: IsolationChannel, image: PluginImage) {
        self.control = control
        self.image = image
    }

    /// Loads `file` (the content-addressed copy; `source` names it in messages), greets the
    /// host on fd 3 and serves until the host goes away. Never returns.
    public static func run(file: String, source: String, digest: String, neededLibraries: [String]) -> Never {
        let control = IsolationChannel(fd: 3, maxBodyBytes: Int(UInt32.max), receivesDescriptors: true)
        let image: PluginImage
        do throws(PluginLoadError) {
            let opened = try OpenedPluginFile(path: file)
            try PluginFileInspector().check(opened)
            let facts = PluginFileFacts(size: opened.size, neededLibraries: neededLibraries)
            image = try PluginLoader(logger: Logger(label: "caphost.isolated"), keyValueStore: nil)
                .map(imagePath: file, sourcePath: source, digest: digest, facts: facts)
        } catch {
            let report = (try? JSONEncoder().encode(error)) ?? Data()
            report.withUnsafeBytes { try? control.send(IsolationFrame(.loadFailed), $0) }
            _exit(1)
        }
        let server = IsolatedPluginServer(control: control, image: image)
        current = server
        let descriptor = Array((try? JSONEncoder().encode(image.descriptor)) ?? Data())
        let greeted = descriptor.withUnsafeBytes { bytes in
            (try? control.send(IsolationFrame(.hello, a: image.linksSwiftRuntime ? 1 : 0), bytes)) != nil
        }
        if !greeted { _exit(1) }
        server.readControl()
        // The host closed the control channel: it is gone or done with this plugin.
        _exit(0)
    }

    /// Reads the control channel: new call channels and replies to service requests.
    private func readControl() {
        while true {
            let received: ReceivedFrame
            do throws(IsolationChannel.Failure) {
                received = try control.receive()
            } catch {
                return
            }
            switch received.frame.kind {
            case .channel:
                guard let descriptor = control.takeDescriptor() else { return }
                let channel = IsolationChannel(fd: descriptor, maxBodyBytes: Int(UInt32.max))
                let thread = Thread { [self] in serve(channel) }
                thread.name = "caphost-serve"
                thread.stackSize = 8 << 20
                thread.start()
            case .serviceReply:
                let waiter = waiters.withLock { $0.removeValue(forKey: received.frame.a) }
                waiter?.deliver(status: received.frame.status, body: Array(received.field(0)))
            default:
                return
            }
        }
    }

    /// Serves the requests of one call channel until the host closes it.
    private func serve(_ channel: IsolationChannel) {
        let entryPoints = image.entryPoints
        while true {
            let received: ReceivedFrame
            do throws(IsolationChannel.Failure) {
                received = try channel.receive()
            } catch {
                return
            }
            let frame = received.frame
            switch frame.kind {
            case .invoke:
                // Copied: a nested call reads its reply into the channel's buffer meanwhile.
                let call = IsolatedCall(channel: channel, idempotencyKey: received.field(0))
                let payload = Array(received.field(1))
                var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                let status = payload.withUnsafeBytes { bytes in
                    entryPoints.invoke(instance, frame.a, frame.b, cap_str(ptr: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count),
                                       frame.value, call.opaque, &out)
                }
                finish(call, status: status, body: &out)
            case .health:
                let call = IsolatedCall(channel: channel, idempotencyKey: UnsafeRawBufferPointer(start: nil, count: 0))
                var none = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                finish(call, status: entryPoints.health(instance, call.opaque), body: &none)
            case .create:
                let call = IsolatedCall(channel: channel, idempotencyKey: UnsafeRawBufferPointer(start: nil, count: 0))
                let config = Array(received.field(0))
                var created: UnsafeMutableRawPointer?
                let status = config.withUnsafeBytes { bytes in
                    entryPoints.create(IsolatedHostServices.table, OpaquePointer(bitPattern: 1),
                                       cap_str(ptr: bytes.baseAddress?.assumingMemoryBound(to: CChar.self), len: bytes.count),
                                       call.opaque, &created)
                }
                if status == CAP_OK { instance = created }
                var none = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                finish(call, status: status, body: &none)
            case .quiesce:
                entryPoints.quiesce?(instance)
                let call = IsolatedCall(channel: channel, idempotencyKey: UnsafeRawBufferPointer(start: nil, count: 0))
                var none = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                finish(call, status: CAP_OK, body: &none)
            case .destroy:
                entryPoints.destroy(instance)
                let call = IsolatedCall(channel: channel, idempotencyKey: UnsafeRawBufferPointer(start: nil, count: 0))
                var none = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                finish(call, status: CAP_OK, body: &none)
                _exit(0)
            default:
                return
            }
        }
    }

    /// Sends a request's result (with what `set_error` said) and releases the plugin's buffer.
    private func finish(_ call: IsolatedCall, status: cap_status, body: inout cap_buffer) {
        let bytes = UnsafeRawBufferPointer(start: body.data, count: body.data == nil ? 0 : body.len)
        // Under the channel's lock: a nested call another plugin thread makes under this call
        // either completes first or sees the call finished.
        call.channel.lock.withLock { _ in
            let (errorStatus, errorMessage) = call.finish()
            (errorMessage ?? []).withUnsafeBytes { message in
                _ = try? call.channel.send(IsolationFrame(.result, status: status, a: UInt32(bitPattern: errorStatus),
                                                          b: errorMessage == nil ? 0 : 1, c: UInt32(truncatingIfNeeded: bytes.count)),
                                           message, bytes)
            }
        }
        Invoker.release(&body)
    }

    // MARK: - Out-of-call services

    /// Sends a one-way frame on the control channel (log, metric).
    func post(_ frame: IsolationFrame, fields: [UnsafeRawBufferPointer]) {
        controlWrite.withLock { _ in _ = try? control.send(frame, fields: fields) }
    }

    /// Asks the host for `service` and waits for its reply.
    func request(_ service: IsolationFrame.Service, argument: UInt32 = 0, fields: [UnsafeRawBufferPointer]) -> (cap_status, [UInt8]) {
        let id = nextRequest.wrappingAdd(1, ordering: .relaxed).oldValue
        let waiter = ServiceWaiter()
        waiters.withLock { $0[id] = waiter }
        let sent = controlWrite.withLock { _ in
            (try? control.send(IsolationFrame(.serviceRequest, a: id, b: service.rawValue, c: argument), fields: fields)) != nil
        }
        guard sent else {
            _ = waiters.withLock { $0.removeValue(forKey: id) }
            return (CAP_UNAVAILABLE, [])
        }
        return waiter.wait()
    }
}

/// One reply awaited by a plugin thread.
final class ServiceWaiter: @unchecked Sendable {
    private let condition = NSCondition()
    private var reply: (cap_status, [UInt8])?

    func deliver(status: cap_status, body: [UInt8]) {
        condition.lock()
        reply = (status, body)
        condition.signal()
        condition.unlock()
    }

    func wait() -> (cap_status, [UInt8]) {
        condition.lock()
        defer { condition.unlock() }
        while reply == nil { condition.wait() }
        return reply!
    }
}

/// The child's `cap_call`: one request in progress on a call channel — its idempotency key,
/// what `set_error` said, and the channel its nested calls travel on.
final class IsolatedCall: @unchecked Sendable {
    let channel: IsolationChannel
    private let key: UnsafeMutableRawBufferPointer
    private let error = Mutex<(Int32, [UInt8]?)>((0, nil))
    private let finished = Atomic<Bool>(false)

    init(channel: IsolationChannel, idempotencyKey: UnsafeRawBufferPointer) {
        self.channel = channel
        self.key = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, idempotencyKey.count), alignment: 1)
        if idempotencyKey.count > 0 { key.copyMemory(from: idempotencyKey) }
        keyLength = idempotencyKey.count
    }

    private let keyLength: Int

    deinit { key.deallocate() }

    /// The pointer the plugin receives; valid while the request runs (the server holds the call).
    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ pointer: OpaquePointer?) -> IsolatedCall? {
        pointer.map { Unmanaged<IsolatedCall>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    var idempotencyKey: cap_str {
        keyLength == 0 ? cap_str(ptr: nil, len: 0)
            : cap_str(ptr: key.baseAddress!.assumingMemoryBound(to: CChar.self), len: keyLength)
    }

    var isFinished: Bool { finished.load(ordering: .acquiring) }

    func setError(_ status: Int32, _ message: UnsafeRawBufferPointer) {
        let text = Array(PluginText.bounded(message).utf8)
        error.withLock { $0 = (status, text) }
    }

    /// Marks the request finished and returns what `set_error` said.
    func finish() -> (Int32, [UInt8]?) {
        finished.store(true, ordering: .releasing)
        return error.withLock { $0 }
    }
}
