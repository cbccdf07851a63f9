import CapPluginABI
import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Idempotency key (ABI 1.1)")
    struct IdempotencyKeyTests {
        let driver = PluginDriver(KeyReportingPlugin.self)

        @Test("the call's key reaches PluginRequest.idempotencyKey, byte for byte")
        func keyReachesRequest() {
            let host = TestHost()
            let instance = driver.create(host: host).instance
            let call = TestCall(idempotencyKey: "order-42/ümlaut")
            let answer = driver.invoke(instance, "key", call: call)
            #expect(answer.status == CAP_OK)
            #expect(call.idempotencyKeyReads == 1)
            #expect(answer.text == #"{"key":"order-42/ümlaut","offered":"yes"}"#)
            driver.destroy(instance)
        }

        @Test("a call without a key reads as nil")
        func noKey() {
            let host = TestHost()
            let instance = driver.create(host: host).instance
            #expect(driver.invoke(instance, "key", call: TestCall()).text == #"{"key":"<none>","offered":"yes"}"#)
            #expect(driver.invoke(instance, "key", call: TestCall(idempotencyKey: "")).text == #"{"key":"<none>","offered":"yes"}"#)
            driver.destroy(instance)
        }

        @Test("an ABI 1.0 host table (no call_idempotency_key) is never read past its end")
        func olderHost() throws {
            let size = try #require(MemoryLayout<cap_host_api>.offset(of: \cap_host_api.call_idempotency_key))
            let host = TestHost(structSize: size)
            let instance = driver.create(host: host).instance
            let call = TestCall(idempotencyKey: "k-1")
            let answer = driver.invoke(instance, "key", call: call)
            #expect(answer.text == #"{"key":"<none>","offered":"no"}"#)
            #expect(call.idempotencyKeyReads == 0)
            #expect(host.servicesCalledBeyondStructSize.isEmpty)
            driver.destroy(instance)
        }
    }
}
