import Foundation

/// A one-line spinner with elapsed time on stderr, for operations that wait
/// (only created when stderr is a terminal).
final class ProgressLine: Sendable {
    private let task: Task<Void, Never>

    init(text: String) {
        let started = ContinuousClock.now
        task = Task {
            let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
            var frame = 0
            while !Task.isCancelled {
                let elapsed = ContinuousClock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                FileHandle.standardError.write(Data("\r\u{1B}[K\(frames[frame % frames.count]) \(text) … \(String(format: "%.1f", seconds))s".utf8))
                frame += 1
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Stops the spinner and clears its line.
    func finish() async {
        task.cancel()
        await task.value
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
