import CapHostCore
import CapHostState
import CapHostTestSupport
import Foundation
import Logging
import MetricsTestKit

/// A host with recorder providers, a state database and a durable engine on
/// it, with settings fast enough for tests and metrics of its own.
struct DurableRig: Sendable {
    let test: TestHost
    let database: StateDatabase
    let journal: DeliveryJournal
    let engine: DurableDelivery
    let metrics: TestMetrics

    static func settings(workers: Int = 4, maxAttempts: Int = 6) -> DurableSettings {
        var settings = DurableSettings()
        settings.workers = workers
        settings.maxAttempts = maxAttempts
        settings.initialBackoff = .milliseconds(10)
        settings.maxBackoff = .milliseconds(40)
        settings.attemptTimeout = .seconds(10)
        settings.stopTimeout = .seconds(2)
        return settings
    }

    /// Runs `body` with a rig made as `start` makes it, and stops the engine and the host
    /// afterwards, whether `body` returned or threw.
    static func with<T>(_ recorders: [Recorder], in directory: TemporaryFolder, settings: DurableSettings = DurableRig.settings(),
                        _ body: (DurableRig) async throws -> T) async throws -> T {
        try await withStopping(try await start(recorders, in: directory, settings: settings), stop: { await $0.stop() }, body)
    }

    /// Loads `recorders` into a new host, opens the database in `directory` and starts the engine
    /// (stop it with `stop`; a test that abandons it, as a crash would, never does).
    static func start(_ recorders: [Recorder], in directory: TemporaryFolder,
                      settings: DurableSettings = DurableRig.settings()) async throws -> DurableRig {
        let test = try TestHost()
        do {
            for recorder in recorders { try await recorder.load(into: test) }
        } catch {
            await test.stop()
            throw error
        }
        let database = try directory.open()
        let journal = DeliveryJournal(database: database)
        let metrics = TestMetrics()
        let engine = DurableDelivery(host: test.host, journal: journal, settings: settings, logger: quietLogger,
                                     metricsFactory: metrics)
        try await engine.start()
        return DurableRig(test: test, database: database, journal: journal, engine: engine, metrics: metrics)
    }

    /// Submits one `record` call to the recorder slot with `key` and payload `{"n":index}`.
    @discardableResult
    func submit(_ index: Int, key: String?, target: CapabilityReference = .slot(Recorder.slot),
                method: String = "record") async throws -> DeliverySubmission {
        try await engine.submit(DeliveryRequest(target: target, method: method, payload: Array(#"{"n":\#(index)}"#.utf8),
                                                idempotencyKey: key))
    }

    /// Waits until nothing is pending or in flight in the journal (throws naming it after `timeout`).
    func drained(timeout: Duration = .seconds(30)) async throws {
        // The journal commits first; the engine's count and gauge follow a moment later.
        try await eventually("the journal to drain", timeout: timeout) {
            ((try? await journal.depth()) ?? 1) == 0 && engine.depth == 0 && depthGauge() == 0
        }
    }

    func counter(_ outcome: String) -> Int64 {
        (try? metrics.expectCounter("caphost_durable_deliveries_total", [("outcome", outcome)]).totalValue) ?? 0
    }

    func depthGauge() -> Double? {
        try? metrics.expectGauge("caphost_durable_queue_depth").lastValue
    }

    func stop() async {
        await engine.stop()
        await test.stop()
    }
}

/// A logger that stays silent unless CAPHOST_TEST_LOG is set (as TestHost's does).
let quietLogger: Logger = {
    var logger = Logger(label: "caphost.state.test")
    logger.logLevel = ProcessInfo.processInfo.environment["CAPHOST_TEST_LOG"] != nil ? .debug : .critical
    return logger
}()
