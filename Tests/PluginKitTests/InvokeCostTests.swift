import CapPluginABI
import PluginKit
import Testing

extension PluginKitTests {
    @Suite("Invoke cost")
    struct InvokeCostTests {
        /// Prints what one kit invoke costs from a host thread (no-op method, empty response; and an
        /// echo of 16 bytes). Debug builds are several times slower than release: measure release
        /// for figures worth quoting.
        @Test("measure a no-op invoke through the kit")
        func measure() async {
            let driver = PluginDriver(ProbePlugin.self)
            let host = TestHost()
            let instance = UncheckedPointer(driver.create(host: host).instance)
            let (noop, echo) = await HostThread.run { [driver] in
                (Self.nanosecondsPerInvoke(driver, instance.pointer, method: driver.methodIndex("noop"), payload: []),
                 Self.nanosecondsPerInvoke(driver, instance.pointer, method: driver.methodIndex("echo"),
                                           payload: Array(#"{"k":"16 bytes"}"#.utf8)))
            }
            print("PluginKit invoke cost: no-op \(noop) ns, 16-byte echo \(echo) ns (median of 5 runs of 20k)")
            #expect(noop > 0 && echo > 0)
            driver.destroy(instance.pointer)
        }

        private static func nanosecondsPerInvoke(_ driver: PluginDriver, _ instance: UnsafeMutableRawPointer?,
                                                 method: UInt32, payload: [UInt8]) -> Int {
            let invoke = driver.descriptor.pointee.invoke!
            let clock = ContinuousClock()
            let iterations = 20_000
            var runs: [Duration] = []
            payload.withUnsafeBufferPointer { bytes in
                let cPayload = cap_str(ptr: bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                       len: bytes.count)
                for _ in 0..<5 {
                    let started = clock.now
                    for _ in 0..<iterations {
                        var out = cap_buffer(data: nil, len: 0, release: nil, release_ctx: nil)
                        _ = invoke(instance, 0, method, cPayload, 0, nil, &out)
                        out.release?(&out)
                    }
                    runs.append(started.duration(to: clock.now))
                }
            }
            let median = runs.sorted()[runs.count / 2]
            let (seconds, attoseconds) = median.components
            return Int((seconds * 1_000_000_000 + attoseconds / 1_000_000_000) / Int64(iterations))
        }
    }
}
