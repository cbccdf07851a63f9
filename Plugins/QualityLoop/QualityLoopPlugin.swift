import Foundation
import PluginKit

/// `service:quality-loop:memory`: the seed's "quality memory" loop over the host's memory slot.
///
/// `remember` stores each issue a quality run found (at or above `min_severity`) as a memory
/// tagged with its tool, code and file, then counts each code's memories within the window;
/// a code that reached the threshold is a pattern to tell someone about, unless one was already
/// told within the window. `acknowledge` records that the patterns were told (the workflow calls
/// it after the notifier accepted the summary), so the same pattern is not sent twice in a window.
public final class QualityLoopPlugin: CapabilityPlugin {
    /// One capability, two methods.
    public static let manifest = PluginManifest(
        name: "quality-loop", version: "1.0.0", vendor: "caphost",
        flags: [.threadSafe, .parallelCreate],
        capabilities: [
            Capability(
                domain: "service", category: "quality-loop", provider: "memory", priority: 0, stackLevel: 0,
                description: "Remembers quality issues in the memory slot and finds codes that keep coming back",
                methods: [
                    CapabilityMethod(name: "remember", description: "Stores a quality run's issues in memory; answers the codes that reached the threshold within the window",
                                     inputSchema: #"{"type":"object","required":["project","issues"],"properties":{"project":{"type":"string","minLength":1,"maxLength":4096},"issues":{"type":"array","maxItems":5000},"threshold":{"type":"integer","minimum":1,"maximum":1000},"window_days":{"type":"integer","minimum":1,"maximum":3650},"min_severity":{"enum":["low","medium","high"]}}}"#),
                    CapabilityMethod(name: "acknowledge", description: "Records that the given codes' patterns were told, so they are not told again within the window",
                                     inputSchema: #"{"type":"object","required":["project","codes"],"properties":{"project":{"type":"string","minLength":1,"maxLength":4096},"codes":{"type":"array","items":{"type":"string","minLength":1,"maxLength":64},"maxItems":200}}}"#),
                ]),
        ])

    /// Tags the loop writes.
    static let issueTag = "quality-issue"
    static let toldTag = "quality-loop:told"
    /// Issues stored per `remember` at most (the rest are counted as not stored).
    static let maximumStored = 500

    private let context: PluginContext
    private let configuration: QualityLoopConfiguration
    private let memory: MemoryClient

    public init(context: PluginContext) throws {
        self.context = context
        configuration = try context.decodeConfig(QualityLoopConfiguration.self).validated()
        memory = MemoryClient(context: context, target: configuration.memory)
        context.log(.info, "quality-loop 1.0.0 remembering in \(configuration.memory) (threshold \(configuration.threshold) in \(configuration.windowDays) days)")
    }

    public func invoke(_ request: PluginRequest) async throws -> PluginResponse {
        switch request.method {
        case "remember": return try .json(try await remember(try request.decode(RememberRequest.self)))
        case "acknowledge": return try .json(try await acknowledge(try request.decode(AcknowledgeRequest.self)))
        default: throw PluginError.unimplemented(request)
        }
    }

    /// Always healthy: it holds no connection or file of its own (the memory slot's providers
    /// report their own health, and the host fails that slot over on its own).
    public func health() async throws {}

    struct RememberRequest: Decodable {
        let project: String
        let issues: [QualityIssue]
        let threshold: Int?
        let windowDays: Int?
        let minimumSeverity: QualityIssue.Severity?

        enum CodingKeys: String, CodingKey {
            case project, issues, threshold
            case windowDays = "window_days"
            case minimumSeverity = "min_severity"
        }
    }

    struct AcknowledgeRequest: Decodable {
        let project: String
        let codes: [String]
    }

    /// A code that keeps coming back.
    struct Pattern: Encodable {
        let code: String
        let tool: String
        /// Its memories within the window (this run's included).
        let count: Int
        /// The files those memories name, sorted.
        let files: [String]
    }

    /// What `remember` answers.
    struct Recurrences: Encodable {
        let project: String
        let stored: Int
        /// Issues at or above the minimum severity that were not stored (over the per-call cap).
        let notStored: Int
        /// Every code stored now, with its count in the window.
        let recurrences: [Pattern]
        /// Codes that reached the threshold and were not told within the window.
        let patterns: [Pattern]
        /// Codes that reached the threshold but were told within the window.
        let alreadyTold: [String]
        /// Whether there is anything to tell (`patterns` is not empty).
        let notify: Bool
        /// `patterns`' codes, for `acknowledge`.
        let codes: [String]
        let subject: String
        let summary: String

        enum CodingKeys: String, CodingKey {
            case project, stored, recurrences, patterns, notify, codes, subject, summary
            case notStored = "not_stored"
            case alreadyTold = "already_told"
        }
    }

    private func remember(_ request: RememberRequest) async throws(PluginError) -> Recurrences {
        let project = try Self.memoryProject(request.project)
        let threshold = request.threshold ?? configuration.threshold
        let windowDays = request.windowDays ?? configuration.windowDays
        try QualityLoopConfiguration.check(threshold: threshold, at: "threshold")
        try QualityLoopConfiguration.check(windowDays: windowDays, at: "window_days")
        let minimum = request.minimumSeverity ?? configuration.minimumSeverity
        for (index, issue) in request.issues.enumerated() where issue.code.isEmpty || issue.code.utf8.count > 64 || issue.tool.isEmpty {
            throw PluginError.invalidArgument("issues[\(index)]: expected a tool and a code of 1…64 bytes, found tool \"\(issue.tool)\", code \"\(issue.code)\"")
        }
        let kept = request.issues.filter { $0.severity >= minimum }
        let stored = Array(kept.prefix(Self.maximumStored))
        for issue in stored {
            var tags = [Self.issueTag, "tool:\(issue.tool)", "code:\(issue.code)", "severity:\(issue.severity.rawValue)"]
            if let file = issue.file, !file.isEmpty { tags.append("file:\(String(file.prefix(120)))") }
            try await memory.store(issue.memoryText, tags: tags, project: project)
        }
        context.metric(.counter, "quality_loop_issues_stored_total", value: Double(stored.count))
        let since = Date().addingTimeInterval(-Double(windowDays) * 86_400)
        var recurrences: [Pattern] = []
        var patterns: [Pattern] = []
        var alreadyTold: [String] = []
        var seen = Set<String>()
        for issue in stored where seen.insert(issue.code).inserted {
            let found = try await memory.search(issue.code, tags: [Self.issueTag, "code:\(issue.code)"], project: project)
                .filter { ($0.created ?? Date()) >= since }
            let files = Set(found.flatMap { $0.tags ?? [] }.filter { $0.hasPrefix("file:") }.map { String($0.dropFirst(5)) })
            let pattern = Pattern(code: issue.code, tool: issue.tool, count: found.count, files: files.sorted())
            recurrences.append(pattern)
            guard pattern.count >= threshold else { continue }
            let told = try await memory.search(issue.code, tags: [Self.toldTag, "code:\(issue.code)"], project: project)
                .contains { ($0.created ?? Date()) >= since }
            if told { alreadyTold.append(issue.code) } else { patterns.append(pattern) }
        }
        let subject = patterns.isEmpty ? "" :
            "caphost quality: \(patterns.map(\.code).joined(separator: ", ")) keep\(patterns.count == 1 ? "s" : "") coming back in \(project)"
        return Recurrences(project: project, stored: stored.count, notStored: kept.count - stored.count, recurrences: recurrences,
                           patterns: patterns, alreadyTold: alreadyTold, notify: !patterns.isEmpty, codes: patterns.map(\.code),
                           subject: subject, summary: Self.summary(patterns, project: project, threshold: threshold, windowDays: windowDays))
    }

    private func acknowledge(_ request: AcknowledgeRequest) async throws(PluginError) -> [String: [String]] {
        let project = try Self.memoryProject(request.project)
        for code in request.codes {
            try await memory.store("told about \(code) recurring in \(project)", tags: [Self.toldTag, "code:\(code)"], project: project)
        }
        return ["acknowledged": request.codes]
    }

    /// The mail's text: each pattern, its count and its files.
    static func summary(_ patterns: [Pattern], project: String, threshold: Int, windowDays: Int) -> String {
        guard !patterns.isEmpty else { return "" }
        var lines = ["These quality issues came back at least \(threshold) times in \(windowDays) days in \(project):", ""]
        for pattern in patterns {
            lines.append("\(pattern.code) (\(pattern.tool)): \(pattern.count) times")
            lines += pattern.files.prefix(20).map { "  - \($0)" }
            if pattern.files.count > 20 { lines.append("  … and \(pattern.files.count - 20) more files") }
        }
        lines += ["", "Sent once per pattern per \(windowDays) days by caphost's quality-feedback-loop workflow."]
        return lines.joined(separator: "\n")
    }

    /// The memory slot's project name for `project`, a name or a path: a path's last component,
    /// with every character outside `[a-zA-Z0-9._-]` written as `-` (the slot's rule), at most 128 bytes.
    static func memoryProject(_ project: String) throws(PluginError) -> String {
        let last = project.split(separator: "/").last.map(String.init) ?? ""
        let name = String(String.UnicodeScalarView(last.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_".unicodeScalars.contains(scalar)) ? scalar : "-"
        }).prefix(128))
        guard !name.isEmpty, project.utf8.count <= 4_096 else {
            throw PluginError.invalidArgument("project: expected a project name or path (1…4096 bytes, with a last component), found \"\(project.prefix(200))\"")
        }
        return name
    }
}

/// The one symbol the host looks up.
@_cdecl("cap_plugin_entry_v1")
public func capPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: QualityLoopPlugin.self) }
