/// Which keys and environment variables hold secrets. A value under such a key
/// must be a `${VAR}` reference, and what a reference resolves to is a secret
/// when either the key or the variable looks like one.
enum SecretNames {
    /// Last words that make a key secret (`api_token`, `password`, `client_secret`).
    private static let secretWords: Set<String> = [
        "password", "passwd", "passphrase", "secret", "token", "apikey", "credential", "credentials",
    ]
    /// Last two words that make a key secret (`api_key`, `private_key`).
    private static let secretPairs: Set<String> = [
        "api_key", "private_key", "secret_key", "access_key", "signing_key", "encryption_key", "auth_key", "master_key",
    ]

    /// `api_key`, `apiKey`, `smtp-password`, `client_secret` …; not `require_token`
    /// when it holds a boolean (the caller checks the value), not `token_file`.
    static func isSecretKey(_ key: String) -> Bool { isSecret(words: words(of: key)) }

    /// `MAILGUN_API_KEY`, `CAPHOST_TOKEN`, `DB_PASSWORD` …
    static func isSecretVariable(_ name: String) -> Bool { isSecret(words: words(of: name)) }

    /// The variable an operator would likely use for a key path:
    /// `plugins.libmailgun.api_key` → `MAILGUN_API_KEY`, `http.token` → `CAPHOST_HTTP_TOKEN`.
    static func suggestedVariable(for keyPath: String, prefix: String?) -> String {
        var parts = keyPath.split(separator: ".").map { part -> String in
            String(part.prefix { $0 != "[" })
        }
        if parts.first == "plugins", parts.count > 2 {
            // A plugins.<stem> section of caphost.yaml: name it after the plugin.
            parts.removeFirst()
            if parts[0].hasPrefix("lib"), parts[0].count > 3 { parts[0] = String(parts[0].dropFirst(3)) }
        } else if let prefix {
            parts.insert(prefix, at: 0)
        }
        let joined = parts.flatMap { words(of: $0) }.joined(separator: "_")
        return String(joined.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    private static func isSecret(words: [String]) -> Bool {
        guard let last = words.last else { return false }
        if secretWords.contains(last) { return true }
        if words.count >= 2 { return secretPairs.contains(words[words.count - 2] + "_" + last) }
        return false
    }

    /// Lower-cased words of `apiKey`, `api_key`, `api-key`, `API_KEY`.
    private static func words(of name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in name {
            if character == "_" || character == "-" || character == "." || character == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousWasLower = false
                continue
            }
            if character.isUppercase && previousWasLower {
                words.append(current)
                current = ""
            }
            previousWasLower = character.isLowercase || character.isNumber
            current += character.lowercased()
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
