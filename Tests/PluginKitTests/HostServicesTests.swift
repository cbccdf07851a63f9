import CapPluginABI
import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Host services")
    struct HostServicesTests {
        let driver = PluginDriver(ProbePlugin.self)

        @Test("log and metric reach the host with level, name, labels and value")
        func logAndMetrics() {
            let host = TestHost()
            let instance = driver.create(host: host).instance
            let answer = driver.invoke(instance, "observe", payload: "sensor-4")
            #expect(answer.status == CAP_OK)
            #expect(answer.text == #"{"offersCall":true,"offersLog":true,"offersStore":true}"#)
            #expect(host.logs.contains { $0.level == CAP_LOG_WARNING && $0.message == "observed sensor-4" })
            #expect(host.metrics == [
                TestHost.Metric(kind: CAP_METRIC_COUNTER_ADD, name: "probe_calls_total", labels: ["method=observe", "shard=2"], value: 1),
                TestHost.Metric(kind: CAP_METRIC_HISTOGRAM_OBSERVE, name: "probe_seconds", labels: [], value: 0.25),
                TestHost.Metric(kind: CAP_METRIC_GAUGE_SET, name: "probe_level", labels: [], value: -7),
            ])
            driver.destroy(instance)
        }

        @Test("key-value store: absent is nil, put/get round trip, delete twice is fine; host buffers released")
        func keyValueStore() {
            let host = TestHost()
            let instance = driver.create(host: host).instance
            #expect(driver.invoke(instance, "store").text == "true hello true")
            #expect(host.store.isEmpty)
            let buffers = host.hostBuffers
            #expect(buffers.out == 1)
            #expect(buffers.released == buffers.out)
            driver.destroy(instance)
        }

        @Test("a host without a state store makes the store throw UNAVAILABLE")
        func keyValueStoreUnavailable() {
            let host = TestHost(hasStore: false)
            let instance = driver.create(host: host).instance
            let call = TestCall()
            #expect(driver.invoke(instance, "store", call: call).status == CAP_UNAVAILABLE)
            #expect(call.lastError?.message.contains("kv_get 'absent'") == true)
            driver.destroy(instance)
        }

        @Test("call goes through host_api->call with the invoking call as parent, and releases the answer")
        func nestedCall() {
            let host = TestHost(responder: ResponderEndpoint())
            let instance = driver.create(host: host).instance
            let call = TestCall()
            let answer = driver.invoke(instance, "compose", payload: "abc", call: call)
            #expect(answer.status == CAP_OK)
            #expect(answer.text == "cba")
            #expect(host.nestedCalls == [TestHost.NestedCall(target: "adapter:responder", method: "reverse",
                                                              payload: Array("abc".utf8), parent: call.address)])
            #expect(host.hostBuffers.out == 1)
            #expect(host.hostBuffers.released == 1)
            driver.destroy(instance)
        }

        @Test("a nested call into a plugin that suspends, from a method that suspended, on the same host thread")
        func nestedCallWithSuspensions() async {
            let host = TestHost(responder: ResponderEndpoint())
            let instance = UncheckedPointer(driver.create(host: host).instance)
            let call = TestCall()
            let answer = await HostThread.run { [driver] in driver.invoke(instance.pointer, "compose-slow", payload: "xyz", call: call) }
            #expect(answer.status == CAP_OK)
            #expect(answer.text == "zyx")
            #expect(host.nestedCalls.map(\.parent) == [call.address])
            #expect(host.hostBuffers.released == 1)
            driver.destroy(instance.pointer)
        }

        @Test("a task left behind calls the host with no parent once its call has returned")
        func strayTaskGetsNoParent() async throws {
            let host = TestHost(responder: ResponderEndpoint())
            let instance = driver.create(host: host).instance
            let call = TestCall()
            #expect(driver.invoke(instance, "stray", call: call).status == CAP_OK)
            for _ in 0..<200 where host.nestedCalls.isEmpty {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(host.nestedCalls.map(\.parent) == [0])
            driver.destroy(instance)
        }

        @Test("a failed nested call throws the host's status")
        func nestedCallFailure() {
            let host = TestHost(responder: ResponderEndpoint())
            let instance = driver.create(host: host).instance
            let call = TestCall()
            #expect(driver.invoke(instance, "compose-refused", call: call).status == CAP_PERMISSION)
            #expect(call.lastError?.message == "call to adapter:responder method 'refuse' failed with CAP_PERMISSION")
            #expect(host.hostBuffers.out == 0)
            driver.destroy(instance)
        }

        @Test("services past the host's struct_size are never called (CAP_HOST_HAS)")
        func olderHostTable() throws {
            let size = try #require(MemoryLayout<cap_host_api>.offset(of: \cap_host_api.call))
            let host = TestHost(structSize: size, responder: ResponderEndpoint())
            let instance = driver.create(host: host).instance
            #expect(driver.invoke(instance, "observe").text == #"{"offersCall":false,"offersLog":true,"offersStore":false}"#)
            let compose = TestCall()
            #expect(driver.invoke(instance, "compose", payload: "x", call: compose).status == CAP_UNAVAILABLE)
            #expect(compose.lastError?.message == "the host does not offer calls to other capabilities")
            #expect(driver.invoke(instance, "store").status == CAP_UNAVAILABLE)
            #expect(host.servicesCalledBeyondStructSize.isEmpty)
            #expect(host.nestedCalls.isEmpty)
            driver.destroy(instance)
        }

        @Test("a table that ends before log gets no log lines, but create still works")
        func tinyHostTable() throws {
            let host = TestHost(structSize: 8)
            let created = driver.create(host: host)
            #expect(created.status == CAP_OK)
            #expect(host.logs.isEmpty)
            #expect(host.servicesCalledBeyondStructSize.isEmpty)
            driver.destroy(created.instance)
        }
    }
}
