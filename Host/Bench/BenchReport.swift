import Foundation

/// The one JSON document the bench prints: each figure beside its SPEC §7 bar,
/// its reference where one runs here, and whether it passed.
struct BenchReport: Encodable {
    let build = "release"
    var machine: MachineDescription
    var command: [String]
    var dispatch: DispatchBenchmark.Figure?
    var resolve: ResolveBenchmark.Figure?
    var throughput2Threads: ThroughputBenchmark.Figure?
    var swapUnderLoad: SwapUnderLoadBenchmark.Figure?
    var dropIn: DropInBenchmark.Figure?
    var kitDispatch: KitDispatchBenchmark.Figure?
    var httpInvoke: HTTPInvokeBenchmark.Figure?
    var durableSubmit: DurableSubmitBenchmark.Figure?
    var coldStart: ColdStartBenchmark.Figure?
    var oneiricClient: OneiricClientBenchmark.Figure?
    var isolatedRoundTrip: IsolatedRoundTripBenchmark.Figure?
    var schemaPattern: SchemaPatternBenchmark.Figure?
    /// Sections not run, and why.
    var skipped: [String: String] = [:]
    /// Sections that could not measure, and why.
    var errors: [String: String] = [:]
    /// Every figure that has a bar passed, and nothing failed to run.
    var allPass = false
    var durationSeconds = 0.0

    enum CodingKeys: String, CodingKey {
        case build, machine, command, dispatch, resolve
        case throughput2Threads = "throughput_2_threads"
        case swapUnderLoad, dropIn, kitDispatch, httpInvoke, durableSubmit, coldStart, oneiricClient, isolatedRoundTrip, schemaPattern, skipped, errors, allPass, durationSeconds
    }

    /// Pass flags of the figures that ran and have a bar.
    var passes: [Bool] {
        [dispatch?.pass, resolve?.pass, throughput2Threads?.pass, swapUnderLoad?.pass, dropIn?.pass, httpInvoke?.pass, durableSubmit?.pass, coldStart?.pass, oneiricClient?.pass, isolatedRoundTrip?.pass].compactMap { $0 }
    }

    /// Pretty, sorted keys, snake_case.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
