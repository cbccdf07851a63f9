import CapHostFuzzTargets
import Foundation

// `caphost-fuzz` is two programs from one target list (`FuzzTargets`):
//
// - built with `-sanitize=fuzzer -DCAPHOST_LIBFUZZER` (Tests/Fuzz/run.sh), libFuzzer's
//   own `main` runs it: `caphost-fuzz -target=NAME [libFuzzer flags] [corpus dirs | files]`;
// - in a plain build it replays inputs without libFuzzer:
//   `caphost-fuzz NAME FILE_OR_FOLDER…` (what `CapHostFuzzTests` runs).
//
// Both list the targets with `-targets`: name, libFuzzer's -max_len, dictionary, summary.

/// Writes `text` to standard error, unbuffered.
func printError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// One line per target: name, maximum input length, dictionary (`-` for none), summary; tab-separated.
func printTargets() {
    for target in FuzzTargets.all {
        print("\(target.name)\t\(target.maximumInputLength)\t\(target.dictionary ?? "-")\t\(target.summary)")
    }
}

#if CAPHOST_LIBFUZZER

/// The target this process fuzzes, chosen once by `LLVMFuzzerInitialize` before any input.
nonisolated(unsafe) private var selectedTarget: FuzzTarget?

/// libFuzzer's set-up hook: takes `-target=NAME` out of the arguments (libFuzzer does not
/// know it) and exports it as `CAPHOST_FUZZ_TARGET`, which is also read when the flag is
/// absent, so the child processes of `-fork`/`-merge` fuzz the same target.
@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                      _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    var name = getenv("CAPHOST_FUZZ_TARGET").map { String(cString: $0) }
    if let arguments = argv.pointee {
        var kept: Int32 = 0
        for index in 0..<Int(argc.pointee) {
            let argument = arguments[index].map { String(cString: $0) } ?? ""
            if argument == "-targets" {
                printTargets()
                exit(0)
            }
            if argument.hasPrefix("-target=") {
                name = String(argument.dropFirst("-target=".count))
                continue
            }
            arguments[Int(kept)] = arguments[index]
            kept += 1
        }
        arguments[Int(kept)] = nil
        argc.pointee = kept
    }
    guard let name, let target = FuzzTargets.named(name) else {
        let known = FuzzTargets.all.map(\.name).joined(separator: ", ")
        printError("caphost-fuzz: choose a target with -target=NAME (one of: \(known)); -targets lists them\n")
        exit(2)
    }
    setenv("CAPHOST_FUZZ_TARGET", name, 1)
    selectedTarget = target
    return 0
}

/// libFuzzer's callback: one input to the chosen target. A `FuzzFinding` becomes a
/// crash, so libFuzzer keeps the input like any other crash.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do throws(FuzzFinding) {
        try selectedTarget!.run(input)
    } catch {
        fatalError("finding: \(error)")
    }
    return 0
}

#else

/// The replay program of a plain build.
@main
struct FuzzReplay {
    /// An input slower than this is a finding, as it is under libFuzzer (run.sh's -timeout).
    static let timeLimit: Duration = .seconds(10)

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["-targets"] {
            printTargets()
            return
        }
        guard let name = arguments.first, let target = FuzzTargets.named(name), arguments.count >= 2 else {
            printError("usage: caphost-fuzz TARGET FILE_OR_FOLDER… (replays inputs; -targets lists the targets)\n")
            exit(2)
        }
        var findings = 0
        var count = 0
        for path in arguments.dropFirst().flatMap(inputFiles) {
            // Said before the run: if the input crashes the host, the output names it.
            printError("replaying \(path)\n")
            guard let input = contents(of: path) else {
                printError("cannot read \(path)\n")
                exit(2)
            }
            count += 1
            let started = ContinuousClock.now
            do throws(FuzzFinding) {
                try target.run(input)
            } catch {
                findings += 1
                printError("FINDING \(path): \(error)\n")
            }
            let took = ContinuousClock.now - started
            if took > timeLimit {
                findings += 1
                printError("FINDING \(path): took \(took), more than the \(timeLimit) a fuzz run allows one input (run.sh --timeout)\n")
            }
        }
        print("\(name): \(count) inputs replayed, \(findings) findings")
        exit(findings == 0 ? 0 : 1)
    }

    /// `path` itself, or the files in the folder `path` (not its dot files), sorted.
    static func inputFiles(_ path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }

    static func contents(of path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map(Array.init)
    }
}

#endif
