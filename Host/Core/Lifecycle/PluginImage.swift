import CapPluginABI
#if canImport(Glibc)
import Glibc
#endif

/// One plugin library as mapped into the host — or, in isolated mode, as served by its own
/// process: where it came from, where it was loaded from, its validated descriptor and
/// entry points.
final class PluginImage: @unchecked Sendable {
    /// The file in plugins.d (or wherever it was loaded from).
    let sourcePath: String
    /// The content-addressed copy that was `dlopen`ed.
    let imagePath: String
    let digest: String
    /// The `dlopen` handle; nil for an isolated image (mapped only in its process).
    let handle: UnsafeMutableRawPointer?
    /// The process serving an isolated image; nil when mapped into the host.
    let isolated: IsolatedPluginProcess?
    let descriptor: PluginDescriptor
    let entryPoints: PluginEntryPoints
    let linksSwiftRuntime: Bool
    /// The host's in-flight table and this image's number in it (`InFlightTable`): calls into
    /// its code are recorded there. nil/0 for isolated images and outside a host.
    let inFlightSlots: UnsafeMutablePointer<UInt32>?
    let inFlightNumber: UInt32
    /// Whether the image may be `dlclose`d once retired: the plugin said so and it has no Swift code.
    var mayUnload: Bool { handle != nil && descriptor.flags.contains(.unloadable) && !linksSwiftRuntime }

    init(sourcePath: String, imagePath: String, digest: String, handle: UnsafeMutableRawPointer,
         descriptor: PluginDescriptor, entryPoints: PluginEntryPoints, linksSwiftRuntime: Bool,
         inFlightSlots: UnsafeMutablePointer<UInt32>? = nil, inFlightNumber: UInt32 = 0) {
        self.isolated = nil
        self.inFlightSlots = inFlightSlots
        self.inFlightNumber = inFlightNumber
        self.sourcePath = sourcePath
        self.imagePath = imagePath
        self.digest = digest
        self.handle = handle
        self.descriptor = descriptor
        self.entryPoints = entryPoints
        self.linksSwiftRuntime = linksSwiftRuntime
    }

    /// An image served by `process` (isolated mode).
    init(sourcePath: String, imagePath: String, digest: String, process: IsolatedPluginProcess) {
        self.sourcePath = sourcePath
        self.imagePath = imagePath
        self.digest = digest
        self.handle = nil
        self.isolated = process
        self.inFlightSlots = nil
        self.inFlightNumber = 0
        self.descriptor = process.descriptor
        self.entryPoints = IsolatedEntryPoints.table
        self.linksSwiftRuntime = process.linksSwiftRuntime
    }
}
