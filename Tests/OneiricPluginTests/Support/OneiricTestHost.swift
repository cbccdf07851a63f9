import CapHostCore
import CapHostTestSupport
import Foundation
import Synchronization

/// A real host with the built `libOneiricPlugin.so` loaded with `config`, and any noop-family C
/// providers a test wants the host to serve. Stopped at the end of ``with(config:providers:_:)``.
final class OneiricTestHost: @unchecked Sendable {
    static let oneiric = CapabilityID(parsing: "adapter:registry:oneiric")!

    let testHost: TestHost
    var host: CapabilityHost { testHost.host }

    private init(testHost: TestHost) { self.testHost = testHost }

    /// `(category, provider)` pairs served by noop fixtures (`adapter:<category>:<provider>`).
    static func with<Result>(config: [String: Any], providers: [(String, String)] = [],
                             _ body: (OneiricTestHost) async throws -> Result) async throws -> Result {
        try await with(providers: providers, config: { _ in config }, body)
    }

    /// With providers `(category, provider, priority)` competing by priority.
    static func withProviders<Result>(_ providers: [(String, String, Int)], config: [String: Any],
                                      _ body: (OneiricTestHost) async throws -> Result) async throws -> Result {
        try await with(providers: providers.map { ($0.0, $0.1) }, priorities: Dictionary(uniqueKeysWithValues: providers.map { ($0.1, $0.2) }),
                       config: { _ in config }, body)
    }

    /// The same, with the plugin's config made once the fixtures are loaded (e.g. pointing at a
    /// registry served from this very host).
    static func with<Result>(providers: [(String, String)] = [], priorities: [String: Int] = [:], config makeConfig: (CapabilityHost) async throws -> [String: Any],
                             _ body: (OneiricTestHost) async throws -> Result) async throws -> Result {
        let configText = ConfigText()
        return try await TestHost.with({ configuration in
            configuration.invocation.breakerThreshold = 1_000
            configuration.autoSwap.enabled = false
            configuration.pluginConfigLoader = { stem, _ in stem == "liboneiric" ? configText.value.withLock { $0 } : nil }
        }) { testHost in
            for (category, provider) in providers {
                let report = try await testHost.load("noop.c", as: "lib\(category)_\(provider).so",
                                                     defines: providerDefines(name: "\(category)-\(provider)", provider: provider, category: category,
                                                                              priority: priorities[provider] ?? 0))
                guard report.state == .loaded else { throw FixtureError("fixture \(category)/\(provider) did not load: \(String(describing: report.error))") }
            }
            let config = try await makeConfig(testHost.host)
            configText.value.withLock { $0 = String(decoding: try! JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self) }
            let built = try FixturePlugins.builtPlugin("OneiricPlugin")
            let file = try FixturePlugins.install(built, into: testHost.pluginsDirectory, as: "liboneiric.so")
            let report = await testHost.host.load(file: file)
            guard report.state == .loaded else {
                throw FixtureError("liboneiric.so did not load: \(report.error.map { "\($0)" } ?? "no reason")")
            }
            return try await body(OneiricTestHost(testHost: testHost))
        }
    }

    /// Calls a method of `adapter:registry:oneiric` and returns its JSON answer.
    func call(_ method: String, _ payload: [String: Any] = [:], timeout: Duration = .seconds(10)) async throws -> [String: Any] {
        let response = try await host.invoker.invoke(.provider(Self.oneiric), method: method,
                                                     payload: Array(try JSONSerialization.data(withJSONObject: payload)),
                                                     timeout: timeout)
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw FixtureError("\(method) answered with something that is not a JSON object: \(String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }

    /// The error a call fails with (a test of a refusal).
    func failure(_ method: String, _ payload: [String: Any] = [:], timeout: Duration = .seconds(10)) async -> InvocationError? {
        do {
            _ = try await host.invoker.invoke(.provider(Self.oneiric), method: method,
                                              payload: Array(try! JSONSerialization.data(withJSONObject: payload)), timeout: timeout)
            return nil
        } catch {
            return error
        }
    }

    /// Unloads a fixture provider loaded by ``with(config:providers:_:)``.
    func unloadProvider(category: String, provider: String) async {
        await host.unload(file: testHost.pluginsDirectory + "/lib\(category)_\(provider).so", reason: "test removes it")
    }
}

/// The plugin's config text, set once the test knows it (read by the host at load).
final class ConfigText: Sendable {
    let value = Mutex<String?>(nil)
}
