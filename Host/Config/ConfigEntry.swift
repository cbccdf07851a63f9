/// One `key: value` pair of a mapping, with the key's position.
package struct ConfigEntry: Sendable {
    package let key: String
    package let line: Int
    package let column: Int
    package let value: ConfigNode
}
