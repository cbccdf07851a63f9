/// A rule the host broke on one input without crashing: the harness's own check
/// (an answer that should parse and does not, a protected route reached without
/// the token). The fuzzer turns it into a crash so that libFuzzer keeps the input.
public struct FuzzFinding: Error, Sendable, CustomStringConvertible {
    /// Which target found it.
    public let target: String
    /// The rule, and what was seen instead.
    public let message: String

    init(_ target: String, _ message: String) {
        self.target = target
        self.message = message
    }

    public var description: String { "\(target): \(message)" }
}
