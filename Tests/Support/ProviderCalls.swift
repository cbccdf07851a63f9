import CapHostCore
import Foundation

/// Calls to one provider with JSON payloads, as the plugin test hosts make them.
extension CapabilityHost {
    /// Calls `method` of `provider` with `payload` and returns the JSON object it answered.
    public func callJSON(_ provider: CapabilityID, _ method: String, _ payload: [String: Any] = [:],
                         timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let response = try await invoker.invoke(.provider(provider), method: method,
                                                payload: Array(try JSONSerialization.data(withJSONObject: payload)), timeout: timeout)
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw FixtureError("\(method) answered something that is not a JSON object: \(response.body.text)")
        }
        return object
    }

    /// The error a call of `method` of `provider` with the raw `payload` fails with; nil when it succeeds.
    public func callFailure(_ provider: CapabilityID, _ method: String, payload: [UInt8],
                            timeout: Duration = .seconds(30)) async -> InvocationError? {
        do {
            _ = try await invoker.invoke(.provider(provider), method: method, payload: payload, timeout: timeout)
            return nil
        } catch {
            return error
        }
    }
}
