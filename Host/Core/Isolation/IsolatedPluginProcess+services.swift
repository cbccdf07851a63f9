import CapPluginABI
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The control channel of a child, read by one thread per child: the plugin's logs and
/// metrics, and the services it asks for outside a call, served with the host's own
/// `cap_host_api` (so the bounds and checks of in-process plugins apply unchanged). The
/// thread reaps the child when the channel ends and lets the host act on the end.
extension IsolatedPluginProcess {
    func startControlReader(_ child: IsolatedChild) {
        let thread = Thread { [self] in
            readControl(of: child)
            child.kill(reason: nil)
            child.reap()
            handleEnd(of: child)
        }
        thread.name = "caphost-isolated"
        thread.start()
    }

    private func readControl(of child: IsolatedChild) {
        while true {
            let received: ReceivedFrame
            do throws(IsolationChannel.Failure) {
                received = try child.control.receive()
            } catch .tooLarge {
                continue
            } catch .malformed(let problem) {
                child.kill(reason: "protocol error on its control channel: \(problem)")
                return
            } catch {
                return
            }
            let (api, host) = state.withLock { ($0.hostAPI, $0.host) }
            guard let api, let host else { continue }
            let frame = received.frame
            switch frame.kind {
            case .log:
                api.pointee.log(host, Int32(bitPattern: frame.a), Self.borrowed(received.field(0)))
            case .metric:
                let labels = stride(from: 1, to: received.fields.count - 1, by: 2).map {
                    cap_label(key: Self.borrowed(received.fields[$0]), value: Self.borrowed(received.fields[$0 + 1]))
                }
                labels.withUnsafeBufferPointer { labelBuffer in
                    api.pointee.metric(host, Int32(bitPattern: frame.a), Self.borrowed(received.field(0)), labelBuffer.baseAddress,
                                       labelBuffer.count, Double(bitPattern: frame.value))
                }
            case .serviceRequest:
                // Served off this thread: a nested call may take long, and may even need this
                // plugin's own process to answer another call first.
                let fields = received.fields.map { Array($0) }
                let hostAddress = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(host)))
                let apiAddress = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(api)))
                DispatchQueue.global().async { [self] in
                    let api = UnsafePointer<cap_host_api>(bitPattern: apiAddress)!
                    let host = OpaquePointer(bitPattern: hostAddress)
                    let (status, body) = Self.serve(frame, fields: fields, api: api, host: host)
                    child.controlWrite.withLock { _ in
                        _ = body.withUnsafeBytes { bytes in
                            try? child.control.send(IsolationFrame(.serviceReply, status: status, a: frame.a), bytes)
                        }
                    }
                }
            default:
                child.kill(reason: "protocol error: a \(frame.kind) frame on its control channel")
                return
            }
        }
    }

    /// Serves one out-of-call service request through the host's services table.
    private static func serve(_ frame: IsolationFrame, fields: [[UInt8]], api: UnsafePointer<cap_host_api>,
                              host: OpaquePointer?) -> (cap_status, [UInt8]) {
        func field(_ index: Int) -> [UInt8] { index < fields.count ? fields[index] : [] }
        func withFields<R>(_ count: Int, _ body: ([cap_str]) -> R) -> R {
            var strings: [cap_str] = []
            func nest(_ index: Int) -> R {
                if index == count { return body(strings) }
                return field(index).withUnsafeBytes { bytes in
                    strings.append(borrowed(bytes))
                    return nest(index + 1)
                }
            }
            return nest(0)
        }
        func answer(_ status: cap_status, _ out: inout cap_buffer) -> (cap_status, [UInt8]) {
            let body = out.data == nil ? [] : Array(UnsafeRawBufferPointer(start: out.data, count: out.len))
            Invoker.release(&out)
            return (status, body)
        }
        var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
        switch IsolationFrame.Service(rawValue: frame.b) {
        case .keyValueGet:
            let status = withFields(1) { api.pointee.kv_get(host, $0[0], &out) }
            return answer(status, &out)
        case .keyValuePut:
            return (withFields(2) { api.pointee.kv_put(host, $0[0], $0[1]) }, [])
        case .keyValueDelete:
            return (withFields(1) { api.pointee.kv_delete(host, $0[0]) }, [])
        case .describeCapabilities:
            return answer(api.pointee.describe_capabilities(host, &out), &out)
        case .reportHealth:
            return (withFields(2) { api.pointee.report_health(host, $0[0], Int32(bitPattern: frame.c), $0[1]) }, [])
        case .call:
            let status = withFields(3) { api.pointee.call(host, nil, $0[0], $0[1], $0[2], &out) }
            return answer(status, &out)
        case nil:
            return (CAP_UNIMPLEMENTED, [])
        }
    }
}
