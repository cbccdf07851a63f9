import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the figures were measured: they mean little without it.
struct MachineDescription: Encodable {
    let nproc: Int
    let arch: String
    let kernel: String
    let cpu: String
    /// 1-minute load average when the bench started: above ~0 means something else was running.
    let loadAverageAtStart: Double
    var loadAverageAtEnd: Double?

    static func current() -> MachineDescription {
        var names = utsname()
        uname(&names)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
        return MachineDescription(nproc: ProcessInfo.processInfo.activeProcessorCount, arch: text(names.machine),
                                  kernel: text(names.release), cpu: cpu, loadAverageAtStart: loadAverage())
    }

    static func loadAverage() -> Double {
        var averages = [Double](repeating: 0, count: 3)
        return getloadavg(&averages, 3) > 0 ? SampleSummary.rounded(averages[0], decimals: 2) : -1
    }
}
