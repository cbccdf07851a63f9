import HTTPTypes

extension HTTPFields {
    /// What `self[name]` returns (every value of `name` joined with ", "),
    /// without the lazy join when the field appears once, as it nearly always
    /// does: the subscript joins even a single value, and requests read
    /// several fields on every call.
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
