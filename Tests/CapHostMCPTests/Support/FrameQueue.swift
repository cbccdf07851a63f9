import Dispatch
import Synchronization

/// Frames handed from an async producer to a blocking writer thread.
final class FrameQueue: Sendable {
    private let state = Mutex<(frames: [[UInt8]], finished: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    func push(_ frame: [UInt8]) {
        state.withLock { $0.frames.append(frame) }
        available.signal()
    }

    func finish() {
        state.withLock { $0.finished = true }
        available.signal()
    }

    /// The next frame, or nil once finished and drained.
    func pop() -> [UInt8]? {
        while true {
            available.wait()
            let next = state.withLock { state -> (frame: [UInt8]?, done: Bool) in
                if !state.frames.isEmpty { return (state.frames.removeFirst(), false) }
                return (nil, state.finished)
            }
            if let frame = next.frame { return frame }
            if next.done { return nil }
        }
    }
}
