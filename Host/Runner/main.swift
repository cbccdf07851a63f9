// caphost-runner: the child process that probes a plugin before the host
// loads it, and in isolated mode serves it.
// --probe speaks lines on fd 3:
//   phase <name>     before entering each load phase
//   report <json>    the ProbeReport when done
// --serve speaks IsolationFrames on the socket at fd 3 (see IsolatedPluginServer).
import CapHostCore
import CCapHostSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

let usage = """
usage: caphost-runner --serve FILE --source PATH --digest SHA256 --needed JSON --parent PID [--memory-bytes N] [--cpu-seconds N] [--open-files N]
       caphost-runner --probe FILE [--config-stdin] [--digest SHA256 [--needed JSON]] [--invoke METHOD [--payload TEXT] [--capability ID]] [--check-threads]
Loads FILE as the host would (checks, dlopen, descriptor, create, health) with
the plugin's config read from stdin (--config-stdin; otherwise {}): a config
holds resolved secrets, and a command line is readable by every local user,
so there is no option to pass it there. --digest gives FILE's SHA-256 when the
caller already computed it (the host's image store names files by it), so the
file is not hashed again; --needed with it gives FILE's DT_NEEDED libraries as
a JSON array of strings (the host read them from the same copy), so the file is
checked but not read at all. Then it optionally calls one method,
destroys the instance (with --check-threads: and counts threads left running
200 ms later) and reports on fd 3.
"""

/// The value after `flag`, removed from `arguments` with it.
func take(_ flag: String, from arguments: inout [String]) -> String? {
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
    let value = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
    return value
}

var arguments = Array(CommandLine.arguments.dropFirst())

/// A numeric option's value (0 when absent); a malformed one ends the runner.
func number(_ flag: String, from arguments: inout [String]) -> UInt64 {
    guard let text = take(flag, from: &arguments) else { return 0 }
    guard let value = UInt64(text) else {
        FileHandle.standardError.write(Data("caphost-runner: \(flag): expected a non-negative integer, found \(text)\n".utf8))
        exit(2)
    }
    return value
}

if let file = take("--serve", from: &arguments) {
    // Isolated mode: served by the host's IsolatedPluginProcess over the socket at fd 3.
    let parent = Int32(number("--parent", from: &arguments))
    let memory = number("--memory-bytes", from: &arguments)
    let cpu = number("--cpu-seconds", from: &arguments)
    let files = number("--open-files", from: &arguments)
    guard caphost_isolate_self(parent, memory, cpu, files) == 0 else {
        FileHandle.standardError.write(Data("caphost-runner: cannot apply the limits (memory \(memory) B, cpu \(cpu) s, files \(files)): \(String(cString: strerror(errno)))\n".utf8))
        exit(2)
    }
    guard let source = take("--source", from: &arguments), let digest = take("--digest", from: &arguments),
          let neededText = take("--needed", from: &arguments),
          let needed = try? JSONDecoder().decode([String].self, from: Data(neededText.utf8)) else {
        FileHandle.standardError.write(Data("caphost-runner: --serve needs --source, --digest and --needed (a JSON array of strings)\n".utf8))
        exit(2)
    }
    IsolatedPluginServer.run(file: file, source: source, digest: digest, neededLibraries: needed)
}

guard let file = take("--probe", from: &arguments) else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
let config: [UInt8] = arguments.contains("--config-stdin")
    ? Array(FileHandle.standardInput.readDataToEndOfFile())
    : Array("{}".utf8)
var invocation: ProbeInvocation?
if let method = take("--invoke", from: &arguments) {
    invocation = ProbeInvocation(method: method, capability: take("--capability", from: &arguments),
                                 payload: take("--payload", from: &arguments) ?? "{}")
}

// Report on fd 3 when the parent gave us one, else on stdout.
let reportFD: Int32 = fcntl(3, F_GETFD) >= 0 ? 3 : 1
func send(_ reportFD: Int32, _ line: String) {
    var bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(reportFD, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { if errno == EINTR { continue }; return }
        offset += written
    }
}

let checkThreads = arguments.contains("--check-threads")
let digest = take("--digest", from: &arguments)
var neededLibraries: [String]?
if let needed = take("--needed", from: &arguments) {
    guard digest != nil else {
        FileHandle.standardError.write(Data("caphost-runner: --needed is taken only with --digest (both describe the same bytes, so the file is not read)\n".utf8))
        exit(2)
    }
    guard let list = try? JSONDecoder().decode([String].self, from: Data(needed.utf8)) else {
        FileHandle.standardError.write(Data("caphost-runner: --needed: expected a JSON array of strings, found \(needed)\n".utf8))
        exit(2)
    }
    neededLibraries = list
}
let session = ProbeSession(file: file, config: config, digest: digest, neededLibraries: neededLibraries,
                           invocation: invocation, checkThreads: checkThreads) {
    send(reportFD, "phase \($0)")
}
let report = session.run()
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]
send(reportFD, "report " + String(decoding: (try? encoder.encode(report)) ?? Data("{}".utf8), as: UTF8.self))
// Leave without running destructors of anything the plugin left behind.
_exit(report.error == nil ? 0 : 1)
