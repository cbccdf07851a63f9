/// One validation run: walks a value and the compiled nodes together, keeping
/// the JSON pointer of the current value and the violations found so far.
struct SchemaEvaluation {
    let nodes: [SchemaNode]
    let limit: Int
    var path: [String] = []
    var violations: [SchemaViolation] = []

    init(nodes: [SchemaNode], limit: Int, path: [String] = []) {
        self.nodes = nodes
        self.limit = limit
        self.path = path
    }

    var isFull: Bool { violations.count >= limit }

    mutating func evaluate(_ value: JSONValue, _ index: Int, depth: Int) {
        guard !isFull else { return }
        let node = nodes[index]
        if node.rejectsEverything {
            report(expected: "nothing (the schema here is false)", found: value.summary)
            return
        }
        if depth > CompiledSchema.maximumEvaluationDepth {
            report(expected: "a value the schema can check within \(CompiledSchema.maximumEvaluationDepth) nested subschemas (is there a $ref cycle\(node.refText.map { " through '\($0)'" } ?? "")?)",
                   found: value.summary)
            return
        }
        if let reference = node.ref { evaluate(value, reference, depth: depth + 1) }
        if let types = node.types, !types.admits(value) {
            report(expected: types.description, found: value.summary)
            return
        }
        if let choices = node.enumValues, !choices.contains(value) {
            let listed = choices.prefix(10).map(\.serializedText).joined(separator: ", ")
            report(expected: "one of [\(listed)\(choices.count > 10 ? ", …" : "")]", found: value.summary)
        }
        if let constant = node.constValue, constant != value {
            report(expected: "the constant \(constant.serializedText)", found: value.summary)
        }
        switch value {
        case .object(let members): checkObject(members, node, depth: depth)
        case .array(let items): checkArray(items, node, depth: depth)
        case .string(let text): checkString(text, node)
        case .number(let number): checkNumber(number, node)
        case .null, .bool: break
        }
        checkComposition(value, node, depth: depth)
    }

    // MARK: - Objects

    private mutating func checkObject(_ members: [String: JSONValue], _ node: SchemaNode, depth: Int) {
        for key in node.required where members[key] == nil {
            report(expected: "required property \"\(key)\"", found: "nothing", at: key)
        }
        if let minimum = node.minProperties, members.count < minimum {
            report(expected: "an object with at least \(minimum) propert\(minimum == 1 ? "y" : "ies")", found: JSONValue.object(members).summary)
        }
        if let maximum = node.maxProperties, members.count > maximum {
            report(expected: "an object with at most \(maximum) propert\(maximum == 1 ? "y" : "ies")", found: JSONValue.object(members).summary)
        }
        guard !node.properties.isEmpty || !node.patternProperties.isEmpty || node.additionalProperties != nil else { return }
        for key in members.keys.sorted() {
            guard !isFull else { return }
            let member = members[key]!
            var matched = false
            if let child = node.properties[key] {
                matched = true
                descend(into: key) { $0.evaluate(member, child, depth: depth + 1) }
            }
            for (pattern, child) in node.patternProperties where pattern.matches(key) {
                matched = true
                descend(into: key) { $0.evaluate(member, child, depth: depth + 1) }
            }
            guard !matched, let additional = node.additionalProperties else { continue }
            if nodes[additional].rejectsEverything {
                let allowed = node.properties.keys.sorted().prefix(12).joined(separator: ", ")
                report(expected: "no property \"\(key)\" (additionalProperties is false; allowed: \(allowed.isEmpty ? "none" : allowed)\(node.patternProperties.isEmpty ? "" : " and names matching patternProperties"))",
                       found: member.summary, at: key)
            } else {
                descend(into: key) { $0.evaluate(member, additional, depth: depth + 1) }
            }
        }
    }

    // MARK: - Arrays

    private mutating func checkArray(_ items: [JSONValue], _ node: SchemaNode, depth: Int) {
        if let minimum = node.minItems, items.count < minimum {
            report(expected: "an array of at least \(minimum) item\(minimum == 1 ? "" : "s")", found: JSONValue.array(items).summary)
        }
        if let maximum = node.maxItems, items.count > maximum {
            report(expected: "an array of at most \(maximum) item\(maximum == 1 ? "" : "s")", found: JSONValue.array(items).summary)
        }
        for (offset, item) in items.enumerated() {
            guard !isFull else { return }
            let child: Int?
            if offset < node.prefixItems.count {
                child = node.prefixItems[offset]
            } else {
                child = node.items
            }
            guard let child else { continue }
            if nodes[child].rejectsEverything {
                report(expected: "no item at index \(offset) (the array allows \(node.prefixItems.count) item\(node.prefixItems.count == 1 ? "" : "s"))",
                       found: item.summary, at: String(offset))
                return
            }
            descend(into: String(offset)) { $0.evaluate(item, child, depth: depth + 1) }
        }
        if node.uniqueItems {
            var firstIndex: [JSONValue: Int] = [:]
            for (offset, item) in items.enumerated() {
                if let earlier = firstIndex[item] {
                    report(expected: "unique items", found: "item \(offset) equal to item \(earlier) (\(item.summary))")
                    break
                }
                firstIndex[item] = offset
            }
        }
    }

    // MARK: - Strings and numbers

    private mutating func checkString(_ text: String, _ node: SchemaNode) {
        if node.minLength != nil || node.maxLength != nil {
            let length = text.unicodeScalars.count
            if let minimum = node.minLength, length < minimum {
                report(expected: "a string of at least \(minimum) character\(minimum == 1 ? "" : "s")",
                       found: "\(JSONValue.string(text).summary) (\(length) character\(length == 1 ? "" : "s"))")
            }
            if let maximum = node.maxLength, length > maximum {
                report(expected: "a string of at most \(maximum) character\(maximum == 1 ? "" : "s")",
                       found: "\(JSONValue.string(text).summary) (\(length) characters)")
            }
        }
        if let pattern = node.pattern, !pattern.matches(text) {
            report(expected: "a string matching /\(pattern.source)/", found: JSONValue.string(text).summary)
        }
    }

    private mutating func checkNumber(_ number: JSONNumber, _ node: SchemaNode) {
        let found = JSONValue.number(number).summary
        if let minimum = node.minimum, Self.compare(number, minimum) < 0 {
            report(expected: "a number >= \(minimum.literal)", found: found)
        }
        if let maximum = node.maximum, Self.compare(number, maximum) > 0 {
            report(expected: "a number <= \(maximum.literal)", found: found)
        }
        if let minimum = node.exclusiveMinimum, Self.compare(number, minimum) <= 0 {
            report(expected: "a number > \(minimum.literal)", found: found)
        }
        if let maximum = node.exclusiveMaximum, Self.compare(number, maximum) >= 0 {
            report(expected: "a number < \(maximum.literal)", found: found)
        }
        if let divisor = node.multipleOf, !Self.isMultiple(number, of: divisor) {
            report(expected: "a multiple of \(divisor.literal)", found: found)
        }
    }

    /// Compares exactly when both are 64-bit integers, else as doubles.
    static func compare(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
        if let left = lhs.exactInteger, let right = rhs.exactInteger { return left < right ? -1 : (left > right ? 1 : 0) }
        return lhs.double < rhs.double ? -1 : (lhs.double > rhs.double ? 1 : 0)
    }

    static func isMultiple(_ number: JSONNumber, of divisor: JSONNumber) -> Bool {
        if let value = number.exactInteger, let step = divisor.exactInteger, step != 0 { return value % step == 0 }
        let quotient = number.double / divisor.double
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }

    // MARK: - Composition

    private mutating func checkComposition(_ value: JSONValue, _ node: SchemaNode, depth: Int) {
        for child in node.allOf { evaluate(value, child, depth: depth + 1) }
        if !node.anyOf.isEmpty, !isFull {
            var closest: SchemaViolation?
            var matched = false
            for child in node.anyOf {
                guard let violation = firstViolation(value, child, depth: depth + 1) else {
                    matched = true
                    break
                }
                closest = Self.closer(closest, violation)
            }
            if !matched {
                report(expected: "a value matching at least one of the \(node.anyOf.count) schemas in anyOf",
                       found: "\(value.summary)\(closest.map { " (closest: \($0))" } ?? "")")
            }
        }
        if !node.oneOf.isEmpty, !isFull {
            var matches: [Int] = []
            var closest: SchemaViolation?
            for (offset, child) in node.oneOf.enumerated() {
                if let violation = firstViolation(value, child, depth: depth + 1) {
                    closest = Self.closer(closest, violation)
                } else {
                    matches.append(offset)
                }
            }
            if matches.isEmpty {
                report(expected: "a value matching exactly one of the \(node.oneOf.count) schemas in oneOf",
                       found: "\(value.summary) matching none\(closest.map { " (closest: \($0))" } ?? "")")
            } else if matches.count > 1 {
                report(expected: "a value matching exactly one of the \(node.oneOf.count) schemas in oneOf",
                       found: "\(value.summary) matching \(matches.count) of them (oneOf/\(matches.map(String.init).joined(separator: ", oneOf/")))")
            }
        }
        if let negated = node.not, !isFull, firstViolation(value, negated, depth: depth + 1) == nil {
            report(expected: "a value that does not match the schema in 'not'", found: value.summary)
        }
        if let condition = node.ifNode, !isFull {
            let branch = firstViolation(value, condition, depth: depth + 1) == nil ? node.thenNode : node.elseNode
            if let branch { evaluate(value, branch, depth: depth + 1) }
        }
    }

    /// Runs a subschema on the side: nil when the value passes, else its first violation.
    private func firstViolation(_ value: JSONValue, _ index: Int, depth: Int) -> SchemaViolation? {
        var trial = SchemaEvaluation(nodes: nodes, limit: 1, path: path)
        trial.evaluate(value, index, depth: depth)
        return trial.violations.first
    }

    /// The violation that got further into the value (a longer path): the branch the caller most likely meant.
    private static func closer(_ current: SchemaViolation?, _ candidate: SchemaViolation) -> SchemaViolation {
        guard let current else { return candidate }
        return candidate.path.count > current.path.count ? candidate : current
    }

    // MARK: - Reporting

    private mutating func descend(into token: String, _ body: (inout SchemaEvaluation) -> Void) {
        path.append(token)
        body(&self)
        path.removeLast()
    }

    private mutating func report(expected: String, found: String, at token: String? = nil) {
        guard !isFull else { return }
        var tokens = path
        if let token { tokens.append(token) }
        let pointer = tokens.map { "/" + SchemaCompiler.escape($0) }.joined()
        violations.append(SchemaViolation(path: pointer, expected: expected, found: found))
    }
}
