import Testing
@testable import CapHostCore

@Suite struct SemanticVersionTests {
    @Test func parsesAndOrdersBySemverPrecedence() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                       "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "2.0.0"].map { SemanticVersion($0)! }
        for (lower, higher) in zip(ordered, ordered.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
        }
        #expect(SemanticVersion("1.2.3+build.7")! == SemanticVersion("1.2.3")!)
    }

    @Test(arguments: ["", "1", "1.2", "01.2.3", "1.2.3-", "1.2.3+", "a.b.c", "1.2.3.4", "1..3"])
    func rejectsMalformedVersions(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }
}
