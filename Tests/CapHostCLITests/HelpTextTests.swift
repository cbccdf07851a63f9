import CapHostTestSupport
import Foundation
import Testing

/// `--help` prose is written as paragraphs the terminal wraps, never as lines
/// broken mid-sentence at one width.
@Suite struct HelpTextTests {
    /// The subcommands `caphost --help` lists.
    func subcommands() async throws -> [String] {
        let help = try await CommandLineRun.caphost(["--help"], environment: ["COLUMNS": "10000"])
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("SUBCOMMANDS:") }) else { return [] }
        return lines[(start + 1)...].compactMap { line in
            guard line.hasPrefix("  "), let word = line.split(separator: " ").first, !word.hasPrefix("See") else { return nil }
            return String(word)
        }
    }

    /// On a very wide terminal every paragraph of the overview is one line: a prose line
    /// that ends mid-sentence and continues on the next line at the same
    /// indentation is a hard line break in the source.
    @Test func overviewParagraphsAreNotBrokenMidSentence() async throws {
        let names = try await subcommands()
        #expect(names.contains("serve") && names.contains("swap") && names.count >= 15, "\(names)")
        for name in [""] + names {
            let run = try await CommandLineRun.caphost(name.isEmpty ? ["--help"] : ["help", name], environment: ["COLUMNS": "10000"])
            #expect(run.status == 0, "caphost help \(name): \(run.stderr)")
            let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let overview = lines.prefix { !$0.hasPrefix("USAGE:") }
            for (line, next) in zip(overview, overview.dropFirst()) {
                let indent = line.prefix { $0 == " " }.count
                guard indent == 0, !line.isEmpty, !next.isEmpty, next.prefix(while: { $0 == " " }).isEmpty else { continue }
                let ending = line.last!
                #expect(".:)".contains(ending), "caphost help \(name): a sentence breaks after '\(line.suffix(30))' before '\(next.prefix(30))'")
            }
        }
    }
}
