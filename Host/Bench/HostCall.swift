import CapHostCore

/// One prebuilt call through the host: the invoker and a call site built once,
/// called with an empty payload on the calling thread (the hot path).
struct HostCall: CallTarget {
    /// The slot every bench plugin fills unless told otherwise.
    static let benchSlot = SlotKey(domain: "adapter", category: "bench")

    let invoker: Invoker
    let site: CallSite

    init(_ bench: BenchHost, slot: SlotKey = benchSlot, method: String) throws(BenchError) {
        invoker = bench.invoker
        do {
            site = try bench.invoker.callSite(.slot(slot), method: method)
        } catch {
            throw BenchError("no call site for \(slot) \(method): \(error)")
        }
    }

    /// noop.c's (or multi.c's) `noop` on the bench slot.
    static func noop(_ bench: BenchHost, slot: SlotKey = benchSlot) throws(BenchError) -> HostCall {
        try HostCall(bench, slot: slot, method: "noop")
    }

    /// One call with `payload`; false when it threw.
    @inline(__always)
    func call(payload: UnsafeRawBufferPointer) -> Bool {
        do {
            try invoker.invoke(site, payload: payload) { _ in }
            return true
        } catch {
            return false
        }
    }

    /// One call; false when it threw.
    @inline(__always)
    func call() -> Bool {
        do {
            try invoker.invoke(site, payload: UnsafeRawBufferPointer(start: nil, count: 0)) { _ in }
            return true
        } catch {
            return false
        }
    }
}
