import CapHostCore

/// Names the tools generated from capability methods.
///
/// Clients accept only `^[a-zA-Z0-9_-]{1,64}$` (Claude refuses dots), so a
/// method `send` of slot `adapter:notifier` becomes `adapter__notifier__send`:
/// double underscores separate the parts, and any other character becomes `_`.
/// When that base name is longer than 64 characters, or more than one method
/// maps to it (`a.b` and `a_b`), every such method gets the base name cut to
/// 55 characters plus `_` and 8 hex digits of a hash of its exact identity
/// (`domain:category/method`). Names therefore depend only on the set of
/// methods, never on the order they were seen in.
enum MCPToolNaming {
    static let maximumLength = 64

    /// Assigns a unique valid name to each method; `reserved` names (the host
    /// tools) are never handed out.
    static func names(for methods: [CapabilityMethodKey], reserved: Set<String>) -> [CapabilityMethodKey: String] {
        var byBase: [String: [CapabilityMethodKey]] = [:]
        for method in Set(methods) { byBase[base(of: method), default: []].append(method) }
        var assigned: [CapabilityMethodKey: String] = [:]
        var taken = reserved
        var hashed: [CapabilityMethodKey] = []
        for (name, group) in byBase {
            if group.count == 1, name.utf8.count <= maximumLength, !reserved.contains(name) {
                assigned[group[0]] = name
                taken.insert(name)
            } else {
                hashed.append(contentsOf: group)
            }
        }
        for method in hashed.sorted() {
            let stem = String(base(of: method).prefix(maximumLength - 9))
            var name = "\(stem)_\(hashText(method.identity))"
            var attempt = 1
            // A 32-bit hash collision: extremely unlikely, still made deterministic by the sort.
            while taken.contains(name) {
                attempt += 1
                let suffix = "\(hashText(method.identity))-\(attempt)"
                name = "\(String(base(of: method).prefix(maximumLength - suffix.utf8.count - 1)))_\(suffix)"
            }
            assigned[method] = name
            taken.insert(name)
        }
        return assigned
    }

    /// `domain__category__method` with every character outside `[A-Za-z0-9_-]` made `_`.
    static func base(of method: CapabilityMethodKey) -> String {
        sanitize(method.slot.domain) + "__" + sanitize(method.slot.category) + "__" + sanitize(method.method)
    }

    static func sanitize(_ part: String) -> String {
        String(String.UnicodeScalarView(part.unicodeScalars.map { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": scalar
            default: "_"
            }
        }))
    }

    /// Whether `name` is acceptable to every client (`^[a-zA-Z0-9_-]{1,64}$`).
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumLength && sanitize(name) == name
    }

    /// FNV-1a (32 bit) of the UTF-8 text, as 8 lower-case hex digits: stable across runs and machines.
    static func hashText(_ text: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
