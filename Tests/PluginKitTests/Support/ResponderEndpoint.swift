import CapPluginABI
import PluginKit

/// A live instance of ``ResponderPlugin`` that ``TestHost`` routes `adapter:responder` calls to:
/// a second plugin type exported from the same test binary.
final class ResponderEndpoint: @unchecked Sendable {
    let driver = PluginDriver(ResponderPlugin.self)
    private let host: TestHost
    private let instance: UnsafeMutableRawPointer?

    init() {
        host = TestHost()
        instance = driver.create(host: host).instance
    }

    deinit { driver.destroy(instance) }

    /// Invokes the responder through its C pointers, as a host resolving a nested call would.
    func invoke(method: String, payload: [UInt8], call: OpaquePointer?) -> (status: cap_status, body: [UInt8]) {
        let answer = driver.invoke(instance, method: driver.methodIndex(method), payload: payload)
        return (answer.status, answer.body)
    }
}
