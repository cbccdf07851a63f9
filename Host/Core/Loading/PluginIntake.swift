import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The steps every plugin file takes before a probe or a load: the file checks, its copy in
/// the image store, the copy's SHA-256 and ELF facts, and the signature beside the file. A file unchanged
/// since an earlier start is taken on its `ImageMemo` entry instead: checked by `fstat`
/// only, none of its bytes read, hashed or compared (most of a restart's work before).
struct PluginIntake: Sendable {
    let inspector = PluginFileInspector()
    let store: ContentAddressedStore
    let signatureVerifier: SignatureVerifier
    let memo: ImageMemo

    /// A file taken in: what it is, who signed it, and the copy to probe and map.
    struct TakenFile: Sendable {
        let facts: PluginFileFacts
        let signature: PluginSignature
        let digest: String
        let imagePath: String
        /// The bytes were not read: the file is unchanged since an earlier read (`ImageMemo`).
        let remembered: Bool
    }

    /// Checks `file`, hashes it, verifies its signature and copies it into the store.
    /// Blocks on file I/O: call it off the cooperative pool.
    func take(_ file: String) throws(PluginLoadError) -> TakenFile {
        let opened = try OpenedPluginFile(path: file)
        if let entry = memo.entry(for: opened) {
            try inspector.check(opened)
            return TakenFile(facts: PluginFileFacts(size: opened.size, neededLibraries: entry.neededLibraries),
                             signature: try signatureVerifier.verify(file: file, digest: entry.digest),
                             digest: entry.digest, imagePath: store.imagePath(digest: entry.digest), remembered: true)
        }
        var readStarted = timespec()
        clock_gettime(CLOCK_REALTIME, &readStarted)
        try inspector.check(opened)
        // Copied first and mapped from the copy: the bytes hashed and checked are the copy's.
        let staged = try store.stage(opened, limit: inspector.maxFileSize)
        let facts: PluginFileFacts, digest: String, signature: PluginSignature, imagePath: String
        do throws(PluginLoadError) {
            facts = PluginFileFacts(size: staged.bytes.count,
                                    neededLibraries: try ELFImage(file: file, bytes: staged.bytes).neededLibraries())
            digest = ContentAddressedStore.digest(of: staged.bytes)
            signature = try signatureVerifier.verify(file: file, digest: digest)
            imagePath = try store.commit(staged, digest: digest, source: file)
        } catch {
            store.discard(staged)
            throw error
        }
        memo.remember(opened, readStarted: readStarted, digest: digest, neededLibraries: facts.neededLibraries)
        return TakenFile(facts: facts, signature: signature, digest: digest, imagePath: imagePath, remembered: false)
    }
}
