import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Foundation
import Logging

/// Defines for fixtures used by the MCP tests.
enum MCPFixtures {
    /// Quiet unless CAPHOST_TEST_LOG is set (like TestHost's logger).
    static var logger: Logger {
        var logger = Logger(label: "caphost.mcp.test")
        logger.logLevel = ProcessInfo.processInfo.environment["CAPHOST_TEST_LOG"] != nil ? .debug : .critical
        return logger
    }

    /// A C string literal of `text` for `-D` (quotes and backslashes escaped).
    static func cString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The input schema the tests give noop's echo method.
    static let echoSchema = #"{"type":"object","properties":{"text":{"type":"string","minLength":1},"count":{"type":"integer","minimum":0}},"required":["text"],"additionalProperties":false}"#

    /// A noop plugin serving adapter:`category`:`provider`, its echo method with `echoSchema`.
    static func noop(provider: String, category: String = "bench", priority: Int = 0, version: String = "1.0.0",
                     name: String? = nil) -> [String: String] {
        var defines = providerDefines(name: name ?? provider, provider: provider, category: category, priority: priority, version: version)
        defines["ECHO_SCHEMA"] = cString(echoSchema)
        return defines
    }
}
