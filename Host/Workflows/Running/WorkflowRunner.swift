import CapHostCore

/// Runs workflows on a host: checks inputs, requirements and tools before the
/// first step, then runs the steps in order, each through a guarded call to the
/// provider that wins its slot at that moment (a swap between steps is
/// followed, never failed). A `durable: true` step goes through the durable
/// journal instead, and its answer is read back from it.
///
/// A recorded run that a stopped host left going is resumed (`resume`) from
/// its first unfinished step, with the finished steps' outputs in scope.
public struct WorkflowRunner: Sendable {
    public let host: CapabilityHost
    /// Where durable steps are journaled; without one, a workflow with a durable step is refused.
    public let durable: (any DurableStepCalls)?

    public init(host: CapabilityHost, durable: (any DurableStepCalls)? = nil) {
        self.host = host
        self.durable = durable
    }

    /// What a step calls once its tool is bound to what the host offers.
    enum BoundTool: Sendable {
        case capability(CapabilityReference, method: String)
        case registry(RegistryQuery)
    }

    /// A step's progress, for a terminal.
    public enum Progress: Sendable {
        case started(step: String, index: Int, of: Int)
        case finished(WorkflowReport.StepReport, index: Int, of: Int)
    }

    /// A workflow checked against the host with its inputs (`prepare`), ready to run.
    public struct PreparedWorkflow: Sendable {
        public let workflow: Workflow
        public let inputs: [String: JSONValue]
        /// Each step's tool, bound to what the host offered when it was checked.
        let tools: [BoundTool]
    }

    /// Checks that `workflow` can run with `inputs`: every input it reads is
    /// given, every requirement resolves to a healthy provider, every tool names
    /// something the host offers. No step runs.
    public func prepare(_ workflow: Workflow, inputs: [String: JSONValue] = [:]) async throws(WorkflowRunError) -> PreparedWorkflow {
        PreparedWorkflow(workflow: workflow, inputs: inputs, tools: try await bindTools(workflow, inputs: inputs))
    }

    private func bindTools(_ workflow: Workflow, inputs: [String: JSONValue]) async throws(WorkflowRunError) -> [BoundTool] {
        var missing: [String] = []
        for step in workflow.steps {
            for reference in step.references {
                if case .input(let name) = reference.root, inputs[name] == nil {
                    missing.append("\(workflow.file):\(reference.line):\(reference.column): workflow '\(workflow.name)' step '\(step.name)' reads ${\(reference)}, but no input '\(name)' was given (--input \(name)=…)")
                }
            }
        }
        if !missing.isEmpty { throw WorkflowRunError(kind: .input, problems: missing) }
        let unmet = await unmetRequirements(workflow)
        if !unmet.isEmpty { throw WorkflowRunError(kind: .requirement, problems: unmet) }
        var bound: [BoundTool] = []
        var unbound: [String] = []
        let offered = offeredMethods()
        for step in workflow.steps {
            let place = "\(workflow.file):\(step.line):\(step.column): step '\(step.name)'"
            switch bind(step.tool, offered: offered) {
            case .success(.registry(let query)) where step.durable:
                unbound.append("\(place): durable: true journals a capability call, but \(query.rawValue) is answered by the host itself and changes nothing; remove durable")
            case .success(let tool):
                if step.durable && durable == nil {
                    unbound.append("\(place): durable: true needs the host's durable journal, which this host does not keep (caphost serve keeps it in its state database)")
                } else {
                    bound.append(tool)
                }
            case .failure(let why): unbound.append("\(place): \(why.message)")
            }
        }
        if !unbound.isEmpty { throw WorkflowRunError(kind: .tool, problems: unbound) }
        return bound
    }

    /// Runs `workflow`. Throws only when it cannot start (`prepare`); a step
    /// that fails is in the report.
    /// With a `journal`, the run is recorded under a new id as it goes (`document`
    /// is the file's text); a journal that fails to record stops the run.
    public func run(_ workflow: Workflow, inputs: [String: JSONValue] = [:], journal: (any WorkflowRunJournal)? = nil,
                    document: String = "",
                    progress: @Sendable (Progress) -> Void = { _ in }) async throws(WorkflowRunError) -> WorkflowReport {
        try await run(try await prepare(workflow, inputs: inputs), journal: journal, document: document, progress: progress)
    }

    /// Runs a workflow `prepare` checked, as `run(_:inputs:…)` does without checking
    /// again; throws only when the journal cannot record the start.
    public func run(_ prepared: PreparedWorkflow, journal: (any WorkflowRunJournal)? = nil, document: String = "",
                    progress: @Sendable (Progress) -> Void = { _ in }) async throws(WorkflowRunError) -> WorkflowReport {
        let (workflow, inputs, tools) = (prepared.workflow, prepared.inputs, prepared.tools)
        let startedAt = WallClockTime.now
        let id = journal == nil ? "" : Self.newRunID()
        if let journal {
            do {
                try await journal.runStarted(WorkflowRunStart(id: id, workflow: workflow, document: document, inputs: inputs, startedAt: startedAt))
            } catch {
                throw WorkflowRunError(kind: .journal, problems: ["cannot record the run of '\(workflow.name)': \(error)"])
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        return await execute(workflow, tools: tools, id: id, inputs: inputs, startedAt: startedAt, finished: [:], journal: journal,
                             elapsed: { Self.milliseconds(clock.now - started) }, progress: progress)
    }

    /// Resumes `run`, a recorded run of `workflow` that a stopped host left
    /// going: the same checks as `run`, then the steps from the first one not
    /// recorded as finished, with the finished ones' outputs in scope. A
    /// durable step journaled before the stop is waited for, not journaled again.
    public func resume(_ workflow: Workflow, run: UnfinishedWorkflowRun, journal: any WorkflowRunJournal,
                       progress: @Sendable (Progress) -> Void = { _ in }) async throws(WorkflowRunError) -> WorkflowReport {
        let tools = try await bindTools(workflow, inputs: run.inputs)
        do {
            try await journal.runResumed(run: run.id)
        } catch {
            throw WorkflowRunError(kind: .journal, problems: ["cannot record the resumption of run \(run.id): \(error)"])
        }
        let startedAt = run.startedAt
        return await execute(workflow, tools: tools, id: run.id, inputs: run.inputs, startedAt: startedAt, finished: run.finishedSteps,
                             journal: journal, elapsed: { (WallClockTime.now.secondsSince1970 - startedAt.secondsSince1970) * 1000 },
                             progress: progress)
    }

    /// Runs the steps not in `finished` (by index), in order, recording each.
    private func execute(_ workflow: Workflow, tools: [BoundTool], id: String, inputs: [String: JSONValue], startedAt: WallClockTime,
                         finished: [Int: WorkflowReport.StepReport], journal: (any WorkflowRunJournal)?,
                         elapsed: () -> Double, progress: @Sendable (Progress) -> Void) async -> WorkflowReport {
        // Durable steps' keys: the run's id, so a resumed run finds what it journaled.
        let keyBase = id.isEmpty ? Self.newRunID() : id
        var scope = ReferenceScope(inputs: inputs, outputs: [:])
        var reports: [WorkflowReport.StepReport] = []
        var stopped: String?
        var interrupted: String?
        for (index, step) in workflow.steps.enumerated() {
            if stopped != nil || interrupted != nil {
                reports.append(.init(name: step.name, tool: step.tool.description, outcome: .notRun, provider: nil, attempts: 0,
                                     durationMilliseconds: 0, output: nil, error: nil))
                continue
            }
            let report: WorkflowReport.StepReport
            if let recorded = finished[index] {
                report = recorded
            } else {
                if durable?.isStopped == true {
                    interrupted = "the host is stopping; the run resumes at step '\(step.name)' when it starts again"
                    reports.append(.init(name: step.name, tool: step.tool.description, outcome: .notRun, provider: nil, attempts: 0,
                                         durationMilliseconds: 0, output: nil, error: nil))
                    continue
                }
                progress(.started(step: step.name, index: index, of: workflow.steps.count))
                switch await run(step, index: index, keyBase: keyBase, tool: tools[index], scope: scope) {
                case .finished(let finished):
                    report = finished
                case .interrupted(let why):
                    interrupted = "\(why); the run resumes at step '\(step.name)' when the host starts again"
                    reports.append(.init(name: step.name, tool: step.tool.description, outcome: .notRun, provider: nil, attempts: 0,
                                         durationMilliseconds: 0, output: nil, error: why))
                    continue
                }
                if let journal {
                    do {
                        try await journal.stepFinished(run: id, index: index, report)
                    } catch {
                        stopped = "the run could not be recorded after step '\(step.name)': \(error)"
                    }
                }
                progress(.finished(report, index: index, of: workflow.steps.count))
            }
            if report.outcome == .succeeded, let output = report.output { scope.outputs[step.name] = output }
            if report.outcome == .failed && step.onError != .continue && stopped == nil {
                stopped = "step '\(step.name)' failed: \(report.error ?? "")"
            }
            reports.append(report)
        }
        var report = WorkflowReport(id: id, workflow: workflow.name, file: workflow.file, succeeded: stopped == nil && interrupted == nil,
                                    failure: stopped ?? interrupted, interrupted: interrupted != nil,
                                    startedAt: startedAt, durationMilliseconds: elapsed(), steps: reports)
        // An interrupted run stays `running` in the record: the next start resumes it.
        if let journal, interrupted == nil {
            do {
                try await journal.runFinished(run: id, report)
            } catch {
                report.recordingProblem = "\(error)"
            }
        }
        return report
    }

    /// Checks that `workflow` could run now with `inputs` (`--dry-run`): the
    /// same checks as `run`, and no step runs.
    public func check(_ workflow: Workflow, inputs: [String: JSONValue] = [:]) async throws(WorkflowRunError) {
        _ = try await bindTools(workflow, inputs: inputs)
    }

    /// A run id: the time in milliseconds and 6 random hex digits (sortable, short to type).
    static func newRunID() -> String {
        let milliseconds = UInt64(WallClockTime.now.secondsSince1970 * 1000)
        return String(milliseconds, radix: 36) + "-" + String(UInt32.random(in: 0...0xFFFFFF), radix: 16)
    }

    /// A step's end: its report, or the host stopping before it finished.
    enum StepResult {
        case finished(WorkflowReport.StepReport)
        case interrupted(String)
    }

    private func run(_ step: WorkflowStep, index: Int, keyBase: String, tool: BoundTool, scope: ReferenceScope) async -> StepResult {
        let clock = ContinuousClock()
        let started = clock.now
        func report(_ outcome: WorkflowReport.StepReport.Outcome, provider: String? = nil, attempts: Int = 0,
                    output: JSONValue? = nil, error: String? = nil) -> StepResult {
            .finished(.init(name: step.name, tool: step.tool.description, outcome: outcome, provider: provider, attempts: attempts,
                            durationMilliseconds: Self.milliseconds(clock.now - started), output: output, error: error))
        }
        if let when = step.when {
            let value = try? when.resolve(in: scope)
            guard value?.isTruthy == true else {
                return report(.skipped, error: "when: ${\(when)} is \(value.map { $0.serializedText } ?? "not available")")
            }
        }
        let params: JSONValue
        do throws(ReferenceFailure) {
            params = try step.params.render(in: scope)
        } catch {
            return report(.failed, error: error.description)
        }
        let tries = if case .retry(let times) = step.onError { times + 1 } else { 1 }
        var attempts = 0
        var lastError = ""
        var lastProvider: String?
        for attempt in 1...tries {
            let result: Result<(String, JSONValue), CallFailure>
            if step.durable, let durable, case .capability(let reference, let method) = tool {
                // One delivery per try; its own retries and failover count as attempts.
                let call = DurableStepCall(target: reference, method: method, payload: params.serialized(),
                                           key: "workflow/\(keyBase)/\(index)/\(attempt)", attemptTimeout: step.timeout)
                switch await durable.deliver(call) {
                case .delivered(_, let provider, let deliveryAttempts, let response):
                    attempts += deliveryAttempts
                    result = .success((provider, Self.output(from: response)))
                case .failed(let message, let provider, let deliveryAttempts):
                    attempts += deliveryAttempts
                    result = .failure(CallFailure(message: message, provider: provider))
                case .interrupted(let why):
                    return .interrupted(why)
                }
            } else {
                attempts += 1
                result = await call(tool, params: params, timeout: step.timeout)
            }
            switch result {
            case .success(let (provider, output)):
                return report(.succeeded, provider: provider, attempts: attempts, output: output)
            case .failure(let failure):
                lastError = failure.message
                lastProvider = failure.provider
            }
        }
        return report(.failed, provider: lastProvider, attempts: attempts, error: lastError)
    }

    /// A response as a step's output: JSON as JSON, any other bytes as text.
    static func output(from body: [UInt8]) -> JSONValue {
        (try? JSONValue(parsing: body)) ?? .string(String(decoding: body, as: UTF8.self))
    }

    /// Why a call failed, and who answered (if anyone did).
    struct CallFailure: Error {
        let message: String
        let provider: String?
    }

    private func call(_ tool: BoundTool, params: JSONValue, timeout: Duration?) async -> Result<(String, JSONValue), CallFailure> {
        switch tool {
        case .registry(let query):
            switch await query.answer(on: host, arguments: params.objectValue ?? [:]) {
            case .success(let reply): return .success(("host", reply))
            case .failure(let failure): return .failure(CallFailure(message: "\(failure.code): \(failure.message)", provider: "host"))
            }
        case .capability(let reference, let method):
            do throws(InvocationError) {
                let response = try await host.invoker.guardedCall(reference, method: method, timeout: timeout)
                    .response(payload: params.serialized())
                return .success((response.provider.description, Self.output(from: response.body)))
            } catch {
                return .failure(CallFailure(message: "\(error.code.rawValue): \(error.message)", provider: error.provider?.description))
            }
        }
    }

    /// Every requirement that cannot be met now, with the candidates considered.
    private func unmetRequirements(_ workflow: Workflow) async -> [String] {
        var unmet: [String] = []
        for requirement in workflow.requirements {
            let place = "\(workflow.file):\(requirement.line):\(requirement.column): workflow '\(workflow.name)' requires \(requirement)"
            let slot = SlotKey(domain: requirement.domain, category: requirement.category)
            guard let explanation = host.explain(slot), !explanation.candidates.isEmpty else {
                let slots = host.capabilities().map(\.slot.description).sorted()
                unmet.append("\(place), but no plugin provides \(slot) (slots: \(slots.isEmpty ? "none" : slots.joined(separator: ", ")))")
                continue
            }
            let considered = explanation.candidates.map { "\($0.id) (\($0.status): \($0.reason))" }.joined(separator: "; ")
            let chosen: String
            if let provider = requirement.provider {
                let id = "\(slot):\(provider)"
                guard let candidate = explanation.candidates.first(where: { $0.id == id }) else {
                    unmet.append("\(place), but no provider '\(provider)' is loaded; candidates considered: \(considered)")
                    continue
                }
                guard candidate.status != "excluded" else {
                    unmet.append("\(place), but it is excluded: \(candidate.reason); candidates considered: \(considered)")
                    continue
                }
                chosen = id
            } else {
                guard let active = explanation.active else {
                    unmet.append("\(place), but no provider can serve it: \(explanation.decidedBy); candidates considered: \(considered)")
                    continue
                }
                chosen = active
            }
            guard let health = await host.checkAdapterHealth(id: chosen) else {
                unmet.append("\(place), but \(chosen) went away while it was checked")
                continue
            }
            if !health.healthy {
                unmet.append("\(place), but \(chosen) is unhealthy: \(health.status)\(health.message.isEmpty ? "" : " (\(health.message))"); candidates considered: \(considered)")
            }
        }
        return unmet
    }

    /// Each slot's methods, as the loaded providers declare them.
    private func offeredMethods() -> [SlotKey: Set<String>] {
        var offered: [SlotKey: Set<String>] = [:]
        for report in host.plugins() where report.state == .loaded {
            for capability in report.descriptor?.capabilities ?? [] {
                offered[capability.id.slot, default: []].formUnion(capability.methods.map(\.name))
            }
        }
        return offered
    }

    private func bind(_ tool: StepTool, offered: [SlotKey: Set<String>]) -> Result<BoundTool, StepBindingFailure> {
        switch tool {
        case .registry(let query):
            return .success(.registry(query))
        case .capability(let reference, let method):
            let slot = switch reference {
            case .slot(let key): key
            case .provider(let id): id.slot
            }
            guard let methods = offered[slot] else {
                return .failure(StepBindingFailure("\(tool): no loaded plugin provides \(slot) (slots: \(offered.keys.map(\.description).sorted().joined(separator: ", ")))"))
            }
            guard methods.contains(method) else {
                return .failure(StepBindingFailure("\(tool): \(slot) has no method '\(method)' (it has: \(methods.sorted().joined(separator: ", ")))"))
            }
            return .success(.capability(reference, method: method))
        case .method(let name):
            let slots = offered.filter { $0.value.contains(name) }.keys.sorted { $0.description < $1.description }
            switch slots.count {
            case 1: return .success(.capability(.slot(slots[0]), method: name))
            case 0: return .failure(StepBindingFailure("tool '\(name)' is neither a host tool (\(RegistryQuery.allCases.map(\.rawValue).joined(separator: ", "))) nor a method any loaded plugin declares; write DOMAIN:CATEGORY/METHOD to name a capability"))
            default: return .failure(StepBindingFailure("tool '\(name)' is a method of \(slots.count) slots (\(slots.map(\.description).joined(separator: ", "))); write DOMAIN:CATEGORY/\(name) to choose one"))
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// Why a step's tool names nothing the host offers.
struct StepBindingFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
