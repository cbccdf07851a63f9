/// One `key: value` pair of a mapping, with the key's position.
struct ConfigEntry: Sendable {
    let key: String
    let line: Int
    let column: Int
    let value: ConfigNode
}
