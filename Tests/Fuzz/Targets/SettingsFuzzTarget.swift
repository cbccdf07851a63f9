import CapHostConfig

/// `settings`: `caphost.yaml` as `CapHostSettingsLoader` parses it (Yams, `${VAR}`
/// references, durations, paths, plugin sections), with a fixed environment whose
/// values cannot be mistaken for anything else. Accepted settings are described as
/// `caphost config` shows them, and that text must hold none of the environment's
/// `fuzz-` values: a setting read from a reference is shown as the reference. (Numbers
/// and durations are left out of that check: `0x42AF` written in the file shows as the
/// port `${CAPHOST_PORT}` holds.)
enum SettingsFuzzTarget {
    /// What `${VAR}` resolves to: secret and ordinary names; the `fuzz-` values are unique.
    static let environment: [String: String] = [
        "CAPHOST_TOKEN": "fuzz-secret-token-5e1f0c9a",
        "CAPHOST_API_KEY": "fuzz-secret-key-77d02b1e",
        "MAILGUN_API_KEY": "fuzz-secret-mailgun-3c9e40aa",
        "CAPHOST_HTTP_ADDRESS": "fuzz-address-0b6d",
        "CAPHOST_PORT": "17071",
        "CAPHOST_TIMEOUT": "4321ms",
        "CAPHOST_DIR": "/fuzz-state-4c1a",
        "EMPTY": "",
    ]

    static let target = FuzzTarget(
        name: "settings",
        summary: "caphost.yaml text, parsed by CapHostSettingsLoader",
        dictionary: "yaml.dict"
    ) { input throws(FuzzFinding) in
        // The loader refuses bytes that are not UTF-8 before it parses.
        guard let text = String(validating: input, as: UTF8.self) else { return }
        let settings: CapHostSettings
        do throws(ConfigFileError) {
            settings = try CapHostSettingsLoader.parse(yaml: text, file: "caphost.yaml", baseDirectory: "/fuzz", environment: environment)
        } catch {
            return
        }
        let description = settings.redactedDescription
        for (name, value) in environment where value.contains("fuzz-") && !text.contains(value) && description.contains(value) {
            throw FuzzFinding("settings", "the description shows the value of ${\(name)} ('\(value)'):\n\(description)")
        }
    }
}
