import CapPluginABI
#if canImport(Glibc)
import Glibc
#endif

/// One plugin library as mapped into the host: where it came from, where it
/// was loaded from, its validated descriptor and entry points.
final class PluginImage: @unchecked Sendable {
    /// The file in plugins.d (or wherever it was loaded from).
    let sourcePath: String
    /// The content-addressed copy that was `dlopen`ed.
    let imagePath: String
    let digest: String
    let handle: UnsafeMutableRawPointer
    let descriptor: PluginDescriptor
    let entryPoints: PluginEntryPoints
    let linksSwiftRuntime: Bool
    /// Whether the image may be `dlclose`d once retired: the plugin said so and it has no Swift code.
    var mayUnload: Bool { descriptor.flags.contains(.unloadable) && !linksSwiftRuntime }

    init(sourcePath: String, imagePath: String, digest: String, handle: UnsafeMutableRawPointer,
         descriptor: PluginDescriptor, entryPoints: PluginEntryPoints, linksSwiftRuntime: Bool) {
        self.sourcePath = sourcePath
        self.imagePath = imagePath
        self.digest = digest
        self.handle = handle
        self.descriptor = descriptor
        self.entryPoints = entryPoints
        self.linksSwiftRuntime = linksSwiftRuntime
    }
}
