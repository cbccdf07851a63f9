/// A command line the bench cannot run with.
enum BenchOptionsError: Error, CustomStringConvertible {
    case helpRequested
    case unknownFlag(String)
    case missingValue(String)
    case invalidValue(String, String, String)
    case unknownSection(String)

    var description: String {
        switch self {
        case .helpRequested: BenchOptions.usage
        case .unknownFlag(let flag): "unknown option \(flag)\n\n\(BenchOptions.usage)"
        case .missingValue(let flag): "\(flag) needs a value\n\n\(BenchOptions.usage)"
        case .invalidValue(let flag, let text, let expected): "\(flag) \(text): expected \(expected)"
        case .unknownSection(let name):
            "unknown section '\(name)'; the sections are \(BenchOptions.allSections.joined(separator: ", "))"
        }
    }
}
