/// One thing wrong in a configuration file: where it is (file, line, column,
/// key path) and what was expected versus found, written for the operator.
///
/// `description` reads `caphost.yaml:12:9: http.port: expected an integer 0…65535, found "seventy"`.
/// It never contains a secret's value: values that came from `${VAR}` references
/// are shown as the reference.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file as it was named to the loader (`caphost.yaml`, `plugins.d/mailgun.yaml`).
    public let file: String
    /// 1-based line, or 0 when the problem concerns the whole file.
    public let line: Int
    /// 1-based column, or 0 when the problem concerns the whole file.
    public let column: Int
    /// The key path (`http.port`, `signatures.trusted_keys[1]`), empty for the document itself.
    public let keyPath: String
    /// What is wrong, in a sentence.
    public let message: String

    /// Creates a problem at a position in a file.
    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
    }
}
