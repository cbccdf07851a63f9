import CapHostConfig
import Testing

/// Reads caphost.yaml text as `caphost.yaml` in `/srv`, for the settings tests.
enum SettingsText {
    static func parse(_ yaml: String, _ environment: [String: String] = [:]) throws(ConfigFileError) -> CapHostSettings {
        try CapHostSettingsLoader.parse(yaml: yaml, file: "caphost.yaml", baseDirectory: "/srv", environment: environment)
    }

    /// The problems a file is refused with (records an issue when it is accepted).
    static func problems(_ yaml: String, _ environment: [String: String] = [:]) -> [String] {
        do {
            _ = try parse(yaml, environment)
            Issue.record("expected the file to be refused:\n\(yaml)")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
