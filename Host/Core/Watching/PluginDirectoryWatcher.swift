import CCapHostSupport
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Watches plugins.d with inotify: a `.so` (or its `.json`/`.yaml` config or `.sig`)
/// that was fully written (`IN_CLOSE_WRITE`), moved in, deleted or moved out
/// is reported after a short debounce; a periodic rescan is the safety net.
final class PluginDirectoryWatcher: @unchecked Sendable {
    enum Change: Sendable {
        /// Plugin file names (`x.so`) whose file, config or signature changed.
        case files(Set<String>)
        case rescan
    }

    private let directory: String
    private let settings: HostConfiguration.WatcherSettings
    private let logger: Logger
    private let onChange: @Sendable (Change) -> Void
    private var inotifyFD: Int32 = -1
    private var wakePipe: [Int32] = [-1, -1]
    private var thread: Thread?

    init(directory: String, settings: HostConfiguration.WatcherSettings, logger: Logger, onChange: @escaping @Sendable (Change) -> Void) {
        self.directory = directory
        self.settings = settings
        self.logger = logger
        self.onChange = onChange
    }

    func start() {
        inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if inotifyFD >= 0 {
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)
            if inotify_add_watch(inotifyFD, directory, mask) < 0 {
                logger.warning("inotify cannot watch \(directory): \(String(cString: strerror(errno))); relying on the periodic rescan")
            }
        } else {
            logger.warning("inotify unavailable: \(String(cString: strerror(errno))); relying on the periodic rescan")
        }
        _ = caphost_pipe_cloexec(&wakePipe)
        let thread = Thread { [self] in run() }
        thread.name = "caphost-watch"
        self.thread = thread
        thread.start()
    }

    func stop() {
        var byte: UInt8 = 1
        _ = write(wakePipe[1], &byte, 1)
    }

    private func run() {
        var pending = Set<String>()
        var pendingSince: UInt64 = 0
        var lastRescan = DispatchTime.now().uptimeNanoseconds
        let debounce = UInt64(settings.debounce.nanoseconds)
        let rescan = UInt64(settings.rescanInterval.nanoseconds)
        var buffer = [UInt8](repeating: 0, count: 16_384)
        defer {
            if inotifyFD >= 0 { close(inotifyFD) }
            close(wakePipe[0])
            close(wakePipe[1])
        }
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            var wait = Int64(rescan) - Int64(now - lastRescan)
            if !pending.isEmpty { wait = min(wait, Int64(debounce) - Int64(now - pendingSince)) }
            var fds = [pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, Int32(max(0, wait / 1_000_000)))
            if ready < 0 && errno != EINTR { return }
            if fds[1].revents != 0 { return }
            if ready > 0 && fds[0].revents != 0 {
                while true {
                    let count = read(inotifyFD, &buffer, buffer.count)
                    if count <= 0 { break }
                    var offset = 0
                    while offset + 16 <= count {
                        let nameLength = Int(buffer[offset + 12]) | Int(buffer[offset + 13]) << 8 | Int(buffer[offset + 14]) << 16 | Int(buffer[offset + 15]) << 24
                        let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + nameLength)]
                        let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                        if let plugin = Self.pluginName(for: name) {
                            if pending.isEmpty { pendingSince = DispatchTime.now().uptimeNanoseconds }
                            pending.insert(plugin)
                        }
                        offset += 16 + nameLength
                    }
                }
            }
            let after = DispatchTime.now().uptimeNanoseconds
            if !pending.isEmpty && after - pendingSince >= debounce {
                onChange(.files(pending))
                pending.removeAll()
            }
            if after - lastRescan >= rescan {
                lastRescan = after
                onChange(.rescan)
            }
        }
    }

    /// The plugin file an event's name belongs to (`x.so` for `x.so`, `x.json`,
    /// `x.yaml`, `x.yml`, `x.so.sig`).
    static func pluginName(for name: String) -> String? {
        if name.hasPrefix(".") { return nil }
        if name.hasSuffix(".so") { return name }
        if name.hasSuffix(".so.sig") { return String(name.dropLast(4)) }
        if name.hasSuffix(".json") { return String(name.dropLast(5)) + ".so" }
        if name.hasSuffix(".yaml") { return String(name.dropLast(5)) + ".so" }
        if name.hasSuffix(".yml") { return String(name.dropLast(4)) + ".so" }
        return nil
    }
}
