import CapHostCore
import CapHostTestSupport
import Crypto
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What is checked is what is loaded: a plugin file is opened once without
/// following links and read from that descriptor (no check-by-path, then
/// open-by-path), and a cached image in `<state>/loaded/` is trusted only
/// once its bytes hash to its name again.
@Suite(.serialized) struct PluginFileTests {
    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test func aSymbolicLinkInPluginsDIsRefusedNotFollowed() async throws {
        try await TestHost.with { test in
            let real = try FixturePlugins.install(try FixturePlugins.build("noop.c", defines: providerDefines(name: "linked", provider: "linked")),
                                                  into: test.root, as: "real.so")
            let link = "\(test.pluginsDirectory)/linked.so"
            #expect(symlink(real, link) == 0)

            let report = await test.host.load(file: link)

            #expect(report.state == .failed)
            #expect(report.error?.file == link && report.error?.check == .file)
            #expect(report.error?.detail.contains("is a symbolic link (to \(real)); plugin files are opened without following links") == true,
                    "\(report.error?.description ?? "no error")")
            #expect(test.host.resolve(SlotKey(domain: "adapter", category: "bench")) == nil, "nothing was loaded through the link")
        }
    }

    /// The inspector checks and reads the file it opened: replacing the path
    /// afterwards (by a rename, a world-writable file or a link) changes nothing.
    @Test func aFileSwappedAfterItWasOpenedIsNeverTheOneRead() throws {
        let directoryFolder = try TemporaryFolder("swap")
        defer { directoryFolder.remove() }
        let directory = directoryFolder.path
        let genuine = try FixturePlugins.build("noop.c", defines: providerDefines(name: "genuine", provider: "genuine"))
        let impostor = try FixturePlugins.build("noop.c", defines: providerDefines(name: "impostor", provider: "impostor"))
        let path = try FixturePlugins.install(genuine, into: directory, as: "plugin.so")

        for swap in ["rename", "world-writable", "symlink"] {
            try FixturePlugins.install(genuine, into: directory, as: "plugin.so")
            let opened = try OpenedPluginFile(path: path)
            switch swap {
            case "rename":
                try FixturePlugins.install(impostor, into: directory, as: "plugin.so")
            case "world-writable":
                try FixturePlugins.install(impostor, into: directory, as: "plugin.so")
                chmod(path, 0o777)
            default:
                unlink(path)
                #expect(symlink(impostor, path) == 0)
            }
            let contents = try PluginFileInspector().read(opened).contents
            #expect(contents == (try bytes(genuine)), "\(swap): the bytes read are the ones opened")
            #expect(contents != (try bytes(impostor)), "\(swap)")
            let store = ContentAddressedStore(stateDirectory: directory + "/state")
            let staged = try store.stage(opened, limit: 1 << 26)
            #expect(Array(staged.bytes) == (try bytes(genuine)), "\(swap): the copy made is of the file opened")
            #expect(try bytes(staged.temporaryPath) == Array(staged.bytes), "\(swap): what is hashed is the copy's bytes")
            store.discard(staged)
            unlink(path)
        }
    }

    @Test func aTamperedCopyInTheImageStoreIsReplacedNotTrusted() throws {
        let directoryFolder = try TemporaryFolder("store")
        defer { directoryFolder.remove() }
        let directory = directoryFolder.path
        let genuineFile = try FixturePlugins.build("noop.c", defines: providerDefines(name: "genuine", provider: "genuine"))
        let genuine = try bytes(genuineFile)
        let tampered = try bytes(try FixturePlugins.build("noop.c", defines: providerDefines(name: "tampered", provider: "tampered")))
        let store = ContentAddressedStore(stateDirectory: directory)
        let digest = ContentAddressedStore.digest(of: genuine)

        let first = try store.commit(try store.stage(try OpenedPluginFile(path: genuineFile), limit: 1 << 26), digest: digest, source: "genuine.so")
        chmod(first, 0o700)
        try Data(tampered).write(to: URL(fileURLWithPath: first))
        let second = try store.commit(try store.stage(try OpenedPluginFile(path: genuineFile), limit: 1 << 26), digest: digest, source: "genuine.so")

        #expect(second == first)
        #expect(try bytes(second) == genuine, "the second store rewrote the tampered copy")
    }

    /// A copy planted at `<state>/loaded/<sha256 of the genuine file>.so` before
    /// the host loads the genuine file: the host loads the genuine bytes.
    @Test func theHostLoadsTheGenuineBytesOverATamperedCachedCopy() async throws {
        try await TestHost.with { test in
            let genuine = try test.install("noop.c", as: "genuine.so", defines: providerDefines(name: "genuine", provider: "genuine"))
            let digest = ContentAddressedStore.digest(of: try bytes(genuine))
            let cached = "\(test.stateDirectory)/loaded/\(digest).so"
            try FileManager.default.createDirectory(atPath: "\(test.stateDirectory)/loaded", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let tampered = try FixturePlugins.build("noop.c", defines: providerDefines(name: "tampered", provider: "tampered"))
            try FileManager.default.copyItem(atPath: tampered, toPath: cached)

            let report = await test.host.load(file: genuine)

            #expect(report.state == .loaded, "\(report.error?.description ?? "")")
            #expect(report.descriptor?.name == "genuine")
            #expect(report.capabilities == ["adapter:bench:genuine"])
            let response = try await test.host.invoker.invoke(.slot(SlotKey(domain: "adapter", category: "bench")), method: "version", payload: [])
            #expect(response.body.text.contains("\"provider\":\"genuine\""))
            #expect(try bytes(cached) == (try bytes(genuine)))
        }
    }
}
