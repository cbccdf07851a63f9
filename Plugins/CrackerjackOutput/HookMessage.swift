/// A line crackerjack printed under a failing hook that names no file and line: why a hook
/// failed when it found no issue (`Error: [Errno 2] No such file or directory: 'uv'`).
package struct HookMessage: Sendable, Equatable, Codable {
    package let tool: String
    package let text: String
}
