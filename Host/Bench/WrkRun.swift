import Foundation

/// One `wrk` run against a POST route (Debian's wrk on loopback), parsed.
struct WrkRun: Encodable, Sendable {
    let url: String
    let requestsPerSecond: Double
    let latencyP50Milliseconds: Double?
    let latencyP99Milliseconds: Double?
    let non2xx: Int
    let socketErrors: String?

    /// Runs `wrk -t threads -c connections -d seconds --latency` with a Lua script that POSTs `body`.
    static func run(url: String, body: String, headers: [String: String], threads: Int, connections: Int, seconds: Int,
                    scriptDirectory: String) throws(BenchError) -> WrkRun {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw BenchError("wrk not found; install it with apt-get install wrk")
        }
        let script = scriptDirectory + "/post-\(UUID().uuidString.prefix(8)).lua"
        var lua = "wrk.method = \"POST\"\nwrk.body = \(luaString(body))\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { lua += "wrk.headers[\(luaString(name))] = \(luaString(value))\n" }
        do {
            try lua.write(toFile: script, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(script): \(error)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t", "\(threads)", "-c", "\(connections)", "-d", "\(seconds)s", "--latency", "-s", script, url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw BenchError("cannot run wrk: \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let rps = number(after: "Requests/sec:", in: text) else {
            throw BenchError("wrk failed (status \(process.terminationStatus)): \(text)")
        }
        return WrkRun(url: url, requestsPerSecond: rps,
                      latencyP50Milliseconds: latency(percentile: "50%", in: text),
                      latencyP99Milliseconds: latency(percentile: "99%", in: text),
                      non2xx: Int(number(after: "Non-2xx or 3xx responses:", in: text) ?? 0),
                      socketErrors: text.split(separator: "\n").first { $0.contains("Socket errors") }.map(String.init))
    }

    static func luaString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func number(after label: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return Double(line.components(separatedBy: label).last?.trimmingCharacters(in: .whitespaces) ?? "")
    }

    /// `50%  1.23ms` → 1.23 (µs, ms and s converted to milliseconds).
    static func latency(percentile: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(percentile) }),
              let value = line.split(separator: " ", omittingEmptySubsequences: true).last else { return nil }
        let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000)]
        for (unit, scale) in units where value.hasSuffix(unit) {
            return Double(value.dropLast(unit.count)).map { $0 * scale }
        }
        return nil
    }
}
