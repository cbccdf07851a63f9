import CapHostCore
import CapHostConfig

/// `plugin-config`: a plugin's own `plugins.d/NAME.yaml`, converted by
/// `PluginConfigFiles` into the JSON text its `create()` receives. Whatever the YAML,
/// an accepted file must become one JSON object that parses.
enum PluginConfigFuzzTarget {
    static let target = FuzzTarget(
        name: "plugin-config",
        summary: "plugins.d/NAME.yaml text, converted to the plugin's JSON config by PluginConfigFiles",
        dictionary: "yaml.dict"
    ) { input throws(FuzzFinding) in
        guard let text = String(validating: input, as: UTF8.self) else { return }
        let files = PluginConfigFiles(environment: SettingsFuzzTarget.environment, redactor: SecretRedactor())
        let json: String
        do throws(ConfigFileError) {
            json = try files.json(yaml: text, file: "plugins.d/libfuzz.yaml", stem: "libfuzz")
        } catch {
            return
        }
        let parsed: JSONValue
        do throws(JSONParseError) {
            parsed = try JSONValue(parsing: json)
        } catch {
            throw FuzzFinding("plugin-config", "the config handed to create() is not JSON (\(error)): \(json)")
        }
        guard parsed.objectValue != nil else {
            throw FuzzFinding("plugin-config", "the config handed to create() is \(parsed.typeName), not an object: \(json)")
        }
    }
}
