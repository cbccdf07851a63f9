#if canImport(Glibc)
import Glibc
#endif

/// glibc functions Swift's Glibc module does not import (they are behind `_GNU_SOURCE`), looked
/// up once at run time.
enum GlibcExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29+): the child's working directory,
    /// set between fork and exec.
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)

    /// `pipe2`: a pipe created close-on-exec at once, so a process another thread spawns
    /// meanwhile cannot inherit it (and keep it open after crackerjack's end).
    static let pipe2: Pipe2? = symbol("pipe2", as: Pipe2.self)

    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: type)
    }
}
