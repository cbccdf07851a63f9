import Foundation

/// The threads of this test process, read from `/proc/self/task`.
public enum ProcessThreads {
    /// How many threads' names start with `prefix` (SwiftNIO names an event loop thread
    /// `NIO-ELT-…`; the host's singleton group `NIO-SGLTN-…`).
    public static func count(named prefix: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return name.hasPrefix(prefix)
        }.count
    }
}
