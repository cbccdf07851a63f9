import ArgumentParser
import Foundation

/// `caphost new-plugin NAME --lang c|swift`: a scaffold that builds and passes `check`.
struct NewPluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-plugin",
        abstract: "Write a plugin scaffold (C or Swift) that builds and passes `caphost check`.",
        discussion: """
        Examples:
          C:     caphost new-plugin hello --lang c && make -C hello && caphost check hello/libhello.so
          Swift: caphost new-plugin hello --lang swift && (cd hello && swift build) && caphost check hello/.build/debug/libHello.so

        The C scaffold carries its own copy of caphost_plugin.h and builds with cc alone. The Swift \
        scaffold depends on this caphost checkout's PluginKit (by path) and must be built with the \
        host's Swift toolchain.
        """)

    enum Language: String, ExpressibleByArgument, CaseIterable { case c, swift }

    @Argument(help: "Plugin name: lower-case letters, digits, '_', '.', '-' (it becomes the provider name).")
    var name: String

    @Option(help: "c or swift.")
    var lang: Language

    @Option(help: "Directory to create the scaffold in (default: ./NAME).")
    var output: String?

    @Option(help: "Capability category (the slot is adapter:CATEGORY).")
    var category = "example"

    @Option(help: "Path of the caphost checkout (for the header and PluginKit); default: found from this executable.")
    var caphostRoot: String?

    func validate() throws {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) || ("0"..."9").contains(first),
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0) }),
              name.utf8.count <= 64 else {
            throw ValidationError("plugin name '\(name)' must match ^[a-z0-9][a-z0-9_.-]*$ (at most 64 bytes)")
        }
    }

    func run() throws {
        let root = try caphostRoot ?? Self.findCheckout()
        let directory = output ?? name
        guard !FileManager.default.fileExists(atPath: directory) else {
            throw ValidationError("\(directory) already exists; choose another --output")
        }
        let scaffold = PluginScaffold(name: name, category: category, caphostRoot: root)
        let files = try lang == .c ? scaffold.cFiles() : scaffold.swiftFiles()
        for (relative, contents) in files.sorted(by: { $0.key < $1.key }) {
            let path = (directory as NSString).appendingPathComponent(relative)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try contents.write(toFile: path, atomically: true, encoding: .utf8)
            print("  wrote \(path)")
        }
        print(lang == .c
            ? "next: make -C \(directory) && caphost check \(directory)/lib\(scaffold.symbolName).so"
            : "next: (cd \(directory) && swift build) && caphost check \(directory)/.build/debug/lib\(scaffold.typeName).so")
    }

    /// The caphost checkout this executable was built from (…/.build/<triple>/<config>/caphost).
    static func findCheckout() throws -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (executable as NSString).deletingLastPathComponent
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: directory + "/PluginABI/include/caphost_plugin.h") { return directory }
            directory = (directory as NSString).deletingLastPathComponent
        }
        throw ValidationError("cannot find the caphost checkout from \(executable); pass --caphost-root")
    }
}
