/// Why a `pattern` was refused, and where (in Unicode scalars from its start).
package struct PatternSyntaxError: Error, CustomStringConvertible {
    package let reason: String
    package let offset: Int

    package var description: String { "\(reason) (at offset \(offset))" }
}
