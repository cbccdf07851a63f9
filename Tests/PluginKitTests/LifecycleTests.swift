import CapPluginABI
import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Lifecycle")
    struct LifecycleTests {
        let driver = PluginDriver(ProbePlugin.self)

        @Test("create logs through the host; quiesce and destroy reach the plugin")
        func fullLifecycle() {
            let host = TestHost()
            let created = driver.create(host: host)
            #expect(created.status == CAP_OK)
            #expect(host.logMessages == ["probe created"])
            #expect(driver.health(created.instance) == CAP_OK)
            driver.quiesce(created.instance)
            driver.destroy(created.instance)
            #expect(host.logMessages == ["probe created", "probe quiesced", "probe shut down"])
        }

        @Test("a throwing init fails create with its status and message, and stores no instance")
        func createFailure() {
            let call = TestCall()
            let created = driver.create(host: TestHost(), config: #"{"fail":true}"#, call: call)
            #expect(created.status == CAP_INVALID_ARGUMENT)
            #expect(created.instance == nil)
            #expect(call.lastError?.message == "config asked create to fail")
        }

        @Test("a config that does not decode fails create naming the field")
        func badConfig() {
            let call = TestCall()
            let created = driver.create(host: TestHost(), config: #"{"fail":"yes"}"#, call: call)
            #expect(created.status == CAP_INVALID_ARGUMENT)
            #expect(call.lastError?.message == "config: 'fail' should be a boolean")
        }

        @Test("an unhealthy instance reports its status and message")
        func unhealthy() {
            let host = TestHost()
            let created = driver.create(host: host, config: #"{"unhealthy":true}"#)
            let call = TestCall()
            #expect(driver.health(created.instance, call: call) == CAP_UNAVAILABLE)
            #expect(call.lastError?.message == "probe peer is down")
            driver.destroy(created.instance)
        }

        @Test("a plugin type can be unit-tested without the C layer")
        func standalone() async throws {
            let plugin = try ProbePlugin(context: .standalone())
            let capability = ProbePlugin.manifest.capabilities[0]
            let echoed = try await plugin.invoke(PluginRequest(capability: capability, method: "echo", payload: [1, 2]))
            #expect(echoed.bytes == [1, 2])
            await #expect(throws: PluginError.unimplemented("method 'nope' is not implemented by capability 'adapter:probe:kit'")) {
                try await plugin.invoke(PluginRequest(capability: capability, method: "nope"))
            }
            await #expect(throws: PluginError.self) {
                try await plugin.invoke(PluginRequest(capability: capability, method: "store"))
            }
        }
    }
}
