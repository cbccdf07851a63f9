/// One fuzz target: a name, what its inputs are, and the function that feeds one
/// input to the host's real code. libFuzzer (`caphost-fuzz`) and the corpus replay
/// (`CapHostFuzzTests`) call the same function, so an input that once crashed the
/// host keeps being checked after the fix, without the fuzzer.
///
/// A target either returns (the host answered, however it chose to refuse the input),
/// throws a `FuzzFinding` (the host answered, but broke a rule it promises, such as
/// "a request without the token never reaches a route"), or crashes (a trap in the
/// host: an overflow, an out-of-range index, a force-unwrap).
public struct FuzzTarget: Sendable {
    /// The name `run.sh --target`, `caphost-fuzz -target=` and the corpus folders use.
    public let name: String
    /// What one input is, in a line.
    public let summary: String
    /// The longest input libFuzzer should make (`-max_len`); seeds may be longer.
    public let maximumInputLength: Int
    /// The file in Tests/Fuzz/Dictionaries of tokens worth splicing in (`-dict`), if any.
    public let dictionary: String?
    private let body: @Sendable ([UInt8]) throws(FuzzFinding) -> Void

    init(name: String, summary: String, maximumInputLength: Int = 4096, dictionary: String?,
         body: @escaping @Sendable ([UInt8]) throws(FuzzFinding) -> Void) {
        self.name = name
        self.summary = summary
        self.maximumInputLength = maximumInputLength
        self.dictionary = dictionary
        self.body = body
    }

    /// Feeds one input to the host.
    public func run(_ input: [UInt8]) throws(FuzzFinding) {
        try body(input)
    }
}
