import Foundation

// caphost-bench: measures the SPEC §7 figures and prints them as one JSON document.
let options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch .helpRequested {
    print(BenchOptions.usage)
    exit(0)
} catch {
    FileHandle.standardError.write(Data("caphost-bench: \(error)\n".utf8))
    exit(2)
}

let report = await BenchRun(options: options).run()
do {
    print(try report.json())
} catch {
    FileHandle.standardError.write(Data("caphost-bench: cannot encode the report: \(error)\n".utf8))
    exit(1)
}
exit(report.errors.isEmpty ? 0 : 1)
