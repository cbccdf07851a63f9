import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the command's standard streams are connected to, and writing to them.
enum Terminal {
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Writes a line to stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes text to stdout and flushes (for streams read line by line).
    static func emit(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// Everything on standard input, read on its own thread (a blocking read must
    /// not hold one of the few cooperative threads). A closed stdin reads as empty.
    static func readStandardInput() async -> [UInt8] {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(STDIN_FILENO, &buffer, buffer.count)
                    if count > 0 {
                        bytes.append(contentsOf: buffer[0..<count])
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
                continuation.resume(returning: bytes)
            }
            thread.name = "caphost-stdin"
            thread.start()
        }
    }
}
