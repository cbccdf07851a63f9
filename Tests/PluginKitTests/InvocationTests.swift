#if canImport(Glibc)
import Glibc
#endif
import CapPluginABI
import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Invoke through the C pointers")
    struct InvocationTests {
        let driver = PluginDriver(ProbePlugin.self)
        let host = TestHost()

        private func withInstance(_ body: (UnsafeMutableRawPointer?) throws -> Void) rethrows {
            let created = driver.create(host: host)
            #expect(created.status == CAP_OK)
            #expect(created.instance != nil)
            try body(created.instance)
            driver.destroy(created.instance)
        }

        @Test("echo returns the payload bytes in a buffer whose release frees it")
        func echo() {
            withInstance { instance in
                let before = ResponseBuffer.outstanding
                let payload: [UInt8] = Array(#"{"a":[1,2,3],"b":"ü"}"#.utf8) + [0, 255]
                let answer = driver.invoke(instance, method: driver.methodIndex("echo"), payload: payload)
                #expect(answer.status == CAP_OK)
                #expect(answer.body == payload)
                #expect(answer.hadRelease)
                #expect(answer.emptiedByRelease)
                #expect(ResponseBuffer.outstanding == before)
            }
        }

        @Test("every buffer handed out is released exactly once")
        func buffersBalance() {
            withInstance { instance in
                let before = ResponseBuffer.outstanding
                var held: [cap_buffer] = []
                for index in 0..<50 {
                    var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                    let payload = Array("message \(index)".utf8)
                    let status = payload.withUnsafeBufferPointer { bytes in
                        driver.descriptor.pointee.invoke!(instance, 0, driver.methodIndex("echo"),
                            cap_str(ptr: UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self), len: bytes.count),
                            0, nil, &out)
                    }
                    #expect(status == CAP_OK)
                    held.append(out)
                }
                #expect(ResponseBuffer.outstanding == before + 50)
                for index in held.indices {
                    held[index].release!(&held[index])
                    // A second release (a host bug) finds an emptied buffer and frees nothing.
                    held[index].release?(&held[index])
                }
                #expect(ResponseBuffer.outstanding == before)
            }
        }

        @Test("an empty response hands out no buffer at all")
        func emptyResponse() {
            withInstance { instance in
                let answer = driver.invoke(instance, "noop", payload: "{}")
                #expect(answer.status == CAP_OK)
                #expect(answer.body.isEmpty)
                #expect(!answer.hadRelease)
            }
        }

        @Test("a thrown PluginError becomes its status and set_error carries its message")
        func pluginError() {
            withInstance { instance in
                let call = TestCall()
                let answer = driver.invoke(instance, "fail", payload: "ticket-9", call: call)
                #expect(answer.status == CAP_PERMISSION)
                #expect(answer.body.isEmpty)
                #expect(call.lastError?.status == CAP_PERMISSION)
                #expect(call.lastError?.message == "probe says no to ticket-9")
            }
        }

        @Test("any other thrown error becomes CAP_INTERNAL with its description")
        func otherError() {
            withInstance { instance in
                let call = TestCall()
                let answer = driver.invoke(instance, "crash", call: call)
                #expect(answer.status == CAP_INTERNAL)
                #expect(call.lastError?.status == CAP_INTERNAL)
                #expect(call.lastError?.message.contains("probe fault 17") == true)
            }
        }

        @Test("Codable decoding: good payload, bad JSON, missing field")
        func decoding() {
            withInstance { instance in
                #expect(driver.invoke(instance, "upper", payload: #"{"text":"quiet"}"#).text == #"{"text":"QUIET"}"#)

                let badJSON = TestCall()
                #expect(driver.invoke(instance, "upper", payload: #"{"text":"#, call: badJSON).status == CAP_INVALID_ARGUMENT)
                #expect(badJSON.lastError?.message.hasPrefix("upper: payload is not valid JSON") == true)

                let missing = TestCall()
                #expect(driver.invoke(instance, "upper", payload: #"{"txt":"a"}"#, call: missing).status == CAP_INVALID_ARGUMENT)
                #expect(missing.lastError?.message == "upper: missing field 'text'")

                let wrongType = TestCall()
                #expect(driver.invoke(instance, "upper", payload: #"{"text":5}"#, call: wrongType).status == CAP_INVALID_ARGUMENT)
                #expect(wrongType.lastError?.message == "upper: 'text' should be a string")
            }
        }

        @Test("a declared method the plugin does not handle is UNIMPLEMENTED, naming method and capability")
        func unhandledMethod() {
            withInstance { instance in
                let call = TestCall()
                #expect(driver.invoke(instance, "later", call: call).status == CAP_UNIMPLEMENTED)
                #expect(call.lastError?.message == "method 'later' is not implemented by capability 'adapter:probe:kit'")
            }
        }

        @Test("method and capability indexes past the tables are UNIMPLEMENTED")
        func indexesOutOfRange() {
            withInstance { instance in
                let method = TestCall()
                #expect(driver.invoke(instance, method: 99, call: method).status == CAP_UNIMPLEMENTED)
                #expect(method.lastError?.message.contains("method index 99") == true)
                #expect(method.lastError?.message.contains("adapter:probe:kit") == true)

                let capability = TestCall()
                #expect(driver.invoke(instance, capability: 7, method: 0, call: capability).status == CAP_UNIMPLEMENTED)
                #expect(capability.lastError?.message.contains("capability index 7") == true)
            }
        }

        @Test("the capability index reaches the request")
        func secondCapability() {
            withInstance { instance in
                #expect(driver.invoke(instance, capability: 1, method: 0).text == "service:probe:kit which")
            }
        }

        @Test("the deadline reaches the request exactly; 0 means none")
        func deadlineExposed() {
            withInstance { instance in
                let deadline = PluginDeadline.after(.seconds(30))
                let answer = driver.invoke(instance, "deadline", deadline: deadline.monotonicNanoseconds)
                #expect(answer.text == "\(deadline.monotonicNanoseconds) true")
                #expect(driver.invoke(instance, "deadline").text == "0 false")
            }
        }

        @Test("a deadline already passed fails with TIMEOUT before the method runs")
        func deadlineAlreadyPassed() {
            withInstance { instance in
                let call = TestCall()
                let past = PluginDeadline.after(.milliseconds(-5)).monotonicNanoseconds
                #expect(driver.invoke(instance, "echo", payload: "x", deadline: past, call: call).status == CAP_TIMEOUT)
                #expect(call.lastError?.message.contains("before the call started") == true)
            }
        }

        @Test("a deadline passing while the method sleeps cancels it: TIMEOUT on time")
        func deadlineCancelsSuspendedWork() {
            withInstance { instance in
                let call = TestCall()
                let clock = ContinuousClock()
                let started = clock.now
                let answer = driver.invoke(instance, "sleep", deadline: PluginDeadline.after(.milliseconds(100)).monotonicNanoseconds,
                                           call: call)
                let elapsed = started.duration(to: clock.now)
                #expect(answer.status == CAP_TIMEOUT)
                #expect(call.lastError?.status == CAP_TIMEOUT)
                #expect(elapsed >= .milliseconds(95) && elapsed < .seconds(5))
            }
        }

        @Test("a method that suspends resumes on the host thread that called")
        func suspendedWorkStaysOnHostThread() {
            withInstance { instance in
                let caller = UInt(pthread_self())
                let answer = driver.invoke(instance, "suspend")
                #expect(answer.status == CAP_OK)
                #expect(answer.text == "\(caller) \(caller)")
            }
        }

        @Test("concurrent invokes on one thread-safe instance from many host threads")
        func concurrentInvokes() async {
            let created = driver.create(host: host)
            let instance = UncheckedPointer(created.instance)
            let failures = await withTaskGroup(of: Int.self) { group in
                for worker in 0..<4 {
                    group.addTask { [driver] in
                        await HostThread.run {
                            var failures = 0
                            for index in 0..<200 {
                                let payload = "w\(worker)-\(index)"
                                let method = index % 10 == 0 ? "suspend" : "echo"
                                let answer = driver.invoke(instance.pointer, method, payload: payload)
                                if answer.status != CAP_OK || (method == "echo" && answer.text != payload) { failures += 1 }
                            }
                            return failures
                        }
                    }
                }
                return await group.reduce(0, +)
            }
            #expect(failures == 0)
            driver.destroy(created.instance)
        }
    }
}
