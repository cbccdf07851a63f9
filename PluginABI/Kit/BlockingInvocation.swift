import Synchronization

/// Runs one async plugin method to completion on the host thread that made the C call.
///
/// The host always calls plugins from its own threads, so the C function may block. Rather than
/// handing the work to Swift's cooperative pool and parking the host thread until it is done
/// (two thread switches per call), the method starts as an immediate task that runs inline
/// until it first suspends, with this object as its task executor: every job of the task and of
/// its child tasks comes back here and runs on the waiting host thread. A method that never
/// suspends costs one task and no thread switch; the thread sleeps (on a ``Doorbell`` made only
/// then) just while the method waits for something.
///
/// The object is also the call's scope for host services: while it is open, nested
/// `host_api->call`s from the task inherit its `cap_call` as their parent; once the C call has
/// returned the handle is revoked, so a task left behind calls with no parent instead of a
/// dangling one.
final class BlockingInvocation: TaskExecutor, @unchecked Sendable {
    // Only ever touched under `state`'s lock.
    private struct State: @unchecked Sendable {
        var jobs: [UnownedJob] = []
        var finished = false
        /// False once the host thread has left; later jobs go to the global executor.
        var draining = true
        var parentCall: OpaquePointer?
        var parentCallUsers = 0
        /// Made the first time the host thread has to sleep.
        var doorbell: Doorbell?
    }

    private let state: Mutex<State>

    private init(call: OpaquePointer?) {
        state = Mutex(State(parentCall: call))
    }

    /// The invocation the current task serves: the task's executor preference, when that is an
    /// invocation of this image's kit. Structured child tasks inherit it; unstructured tasks and
    /// code outside a call get `nil`. (A task-local would do the same but cost every call.)
    static var current: BlockingInvocation? {
        guard #available(macOS 26.4, *) else { return nil }
        return withUnsafeCurrentTask { task in
            task?.unownedTaskExecutor?.asTaskExecutor() as? BlockingInvocation
        }
    }

    /// Runs `work` to completion, blocking the calling (host) thread.
    ///
    /// - Parameters:
    ///   - work: what to run, typically a call into the plugin.
    ///   - call: the host's `cap_call` for this call, inherited by nested host calls.
    ///   - deadlineNanoseconds: `CLOCK_MONOTONIC` deadline (0 = none); when it passes while the
    ///     task is suspended, the task is cancelled and still awaited.
    /// - Returns: the operation's result and whether the deadline cancelled it.
    static func run<Work: BlockingWork>(_ work: Work, call: OpaquePointer?,
                                        deadlineNanoseconds: UInt64) -> (outcome: Work.Outcome, cancelledAtDeadline: Bool) {
        let invocation = BlockingInvocation(call: call)
        var outcome: Work.Outcome?
        var cancelledAtDeadline = false
        withUnsafeMutablePointer(to: &outcome) { slot in
            let result = OutcomeSlot(pointer: slot)
            // The closure is written out at each call so it is formed directly as the task's
            // operation: a closure stored first and passed on costs conversion thunks per call.
            let task: Task<Void, Never>
            if #available(macOS 26.0, *) {
                task = Task.immediate(executorPreference: invocation) {
                    result.pointer.pointee = await work.perform()
                    invocation.markFinished()
                }
            } else {
                task = Task(executorPreference: invocation) {
                    result.pointer.pointee = await work.perform()
                    invocation.markFinished()
                }
            }
            cancelledAtDeadline = invocation.runJobsUntilFinished(deadlineNanoseconds: deadlineNanoseconds) {
                task.cancel()
            }
        }
        return (outcome!, cancelledAtDeadline)
    }

    /// Calls `body` with the parent `cap_call` for a nested host call, or `nil` once the C call
    /// this invocation served has returned. The handle cannot be revoked while `body` runs.
    func withParentCall<Result>(_ body: (OpaquePointer?) throws -> Result) rethrows -> Result {
        let call = state.withLock { state -> OpaquePointer? in
            if state.parentCall != nil { state.parentCallUsers += 1 }
            return state.parentCall
        }
        defer {
            if call != nil {
                let doorbell = state.withLock { state -> Doorbell? in
                    state.parentCallUsers -= 1
                    return state.parentCallUsers == 0 ? state.doorbell : nil
                }
                doorbell?.ring()
            }
        }
        return try body(call)
    }

    // MARK: TaskExecutor

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (accepted, doorbell) = state.withLock { state -> (Bool, Doorbell?) in
            guard state.draining else { return (false, nil) }
            state.jobs.append(job)
            return (true, state.doorbell)
        }
        if accepted {
            doorbell?.ring()
        } else {
            // The host thread has left; a job that outlived the call (an unstructured task)
            // runs on the global executor.
            Self.forward(job)
        }
    }

    // MARK: Internals

    /// Marks the operation as done and wakes the host thread.
    private func markFinished() {
        let doorbell = state.withLock { state -> Doorbell? in
            state.finished = true
            return state.doorbell
        }
        doorbell?.ring()
    }

    /// What the host thread does next.
    private enum Step {
        case run(UnownedJob)
        /// Sleep until woken; `timed` while the operation still runs (so the deadline applies).
        case sleep(Doorbell, timed: Bool)
        case leave
    }

    /// Runs queued jobs on this thread until the operation finished, then closes the invocation
    /// (revokes the parent call, waiting out a nested call still using it; later jobs go to the
    /// global executor). Calls `cancel` once if the deadline passes first; returns whether it did.
    private func runJobsUntilFinished(deadlineNanoseconds: UInt64, cancel: () -> Void) -> Bool {
        var cancelled = false
        while true {
            let step = state.withLock { state -> Step in
                if !state.jobs.isEmpty {
                    return .run(state.jobs.removeFirst())
                }
                if state.finished {
                    // Close: from here on jobs go to the global executor, and nested calls get
                    // no parent. Leave once no nested call is still using the parent.
                    state.draining = false
                    state.parentCall = nil
                    if state.parentCallUsers == 0 { return .leave }
                }
                if state.doorbell == nil { state.doorbell = Doorbell() }
                return .sleep(state.doorbell!, timed: !state.finished)
            }
            switch step {
            case .run(let job):
                job.runSynchronously(on: asUnownedTaskExecutor())
            case .leave:
                return cancelled
            case .sleep(let doorbell, let timed):
                if timed && deadlineNanoseconds != 0 && !cancelled {
                    if !doorbell.wait(untilMonotonicNanoseconds: deadlineNanoseconds) {
                        cancelled = true
                        cancel()
                    }
                } else {
                    doorbell.wait()
                }
            }
        }
    }

    private static func forward(_ job: UnownedJob) {
        if #available(macOS 15.0, *) {
            globalConcurrentExecutor.enqueue(job)
        }
    }
}

/// Where the task writes the operation's result: a slot on the blocked host thread's stack,
/// which outlives the task because the thread waits for it.
private struct OutcomeSlot<Outcome>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Outcome?>
}
