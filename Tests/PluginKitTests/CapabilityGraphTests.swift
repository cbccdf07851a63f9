import CapPluginABI
import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Capability graph (ABI 1.2)")
    struct CapabilityGraphTests {
        let driver = PluginDriver(GraphReadingPlugin.self)

        @Test("the host's document decodes, unknown keys ignored, and its buffer is released")
        func decodes() {
            let host = TestHost()
            let instance = driver.create(host: host).instance
            let answer = driver.invoke(instance, "graph")
            #expect(answer.status == CAP_OK)
            #expect(answer.text == #"{"lines":"adapter:notifier adapter:notifier:mailgun mailgun active closed 0.93; adapter:notifier adapter:notifier:mailgun outbox standby half-open 1.0","offered":"yes"}"#)
            #expect(host.hostBuffers.out == 1 && host.hostBuffers.released == 1)
            driver.destroy(instance)
        }

        @Test("an ABI 1.1 host table is never read past its end: the call says the service is missing")
        func olderHost() throws {
            let size = try #require(MemoryLayout<cap_host_api>.offset(of: \cap_host_api.describe_capabilities))
            let host = TestHost(structSize: size)
            let instance = driver.create(host: host).instance
            let call = TestCall()
            let answer = driver.invoke(instance, "graph", call: call)
            #expect(answer.status == CAP_UNAVAILABLE)
            #expect(call.recordedErrors.last?.message.contains("does not offer describe_capabilities (ABI 1.2") == true, "\(call.recordedErrors)")
            #expect(host.servicesCalledBeyondStructSize.isEmpty)
            driver.destroy(instance)
        }
    }
}
