import Foundation
import Shared

/// The recording a replay is checked against: the outputs of the ended run it replays, by step
/// (the last succeeded attempt of each iteration and role). Outputs are compared on what a step
/// decides — a diff byte for byte, a report's verdicts and figures, the pull request's text —
/// with each run's own id written as `{run}`, and without what only describes the moment
/// (durations, output tails, workspace paths).
struct ReplayRecording: Sendable {
    /// The run replayed.
    let runID: UUID
    /// Its provider per step, and the outputs.
    private let steps: [String: (provider: String?, output: JSONValue)]
    /// The steps in the order they ran.
    let order: [String]

    /// The key of a step (its iteration and role), also how a build files its steps' attempts.
    static func slot(_ iteration: Int, _ role: AgentRole) -> String { "\(iteration):\(role.rawValue)" }

    /// The recording of run `runID`, read in its tenant.
    static func load(_ runID: UUID, tenant: UUID, pool: PostgresPool) async throws -> ReplayRecording {
        let rows = try await pool.batch(tenant: tenant, deadline: .after(RunJournal.timeout), ["""
            SELECT iteration, role, provider, output::text AS output FROM run_steps
            WHERE run_id = \(runID) AND status = 'succeeded' AND output IS NOT NULL ORDER BY started_at, id
            """])[0]
        var steps: [String: (provider: String?, output: JSONValue)] = [:]
        var order: [String] = []
        for row in rows {
            guard let role = AgentRole(rawValue: try row.decode("role")) else { continue }
            let slot = slot(try row.decode("iteration"), role)
            if steps[slot] == nil { order.append(slot) }
            steps[slot] = (try row.decode("provider"), try row.decode("output", as: JSONText.self).decode(JSONValue.self))
        }
        return ReplayRecording(runID: runID, steps: steps, order: order)
    }

    /// The recorded output of a step, when the recording holds it.
    func output(_ iteration: Int, _ role: AgentRole) -> JSONValue? { steps[Self.slot(iteration, role)]?.output }

    /// Whether the step was answered by a model (a provider other than the deterministic one):
    /// the replay answers it from the recording instead of calling the provider again.
    func answeredByModel(_ iteration: Int, _ role: AgentRole) -> Bool {
        guard let provider = steps[Self.slot(iteration, role)]?.provider else { return false }
        return provider != "deterministic" && [AgentRole.codegenEngineer, .autoFixer, .reviewer].contains(role)
    }

    /// How the replay's output of a step differs from the recording: nil when it does not, else
    /// what differs (the first differing line of the compared text, with its neighbours).
    func divergence(_ iteration: Int, _ role: AgentRole, replayed output: JSONValue, replayRun: UUID) -> String? {
        guard let recorded = self.output(iteration, role) else {
            return "the recording has no \(role.rawValue) step in iteration \(iteration): the replay took another path"
        }
        let expected = Self.comparable(recorded, role: role, run: runID)
        let actual = Self.comparable(output, role: role, run: replayRun)
        guard expected != actual else { return nil }
        return Self.firstDifference(expected, actual)
    }

    /// The part of an output a replay must reproduce, as lines of text: a diff as itself (with
    /// the files it names), a pull request as its title and markdown, DevOps's readiness, and
    /// QA's verdicts and figures (not durations or output tails) as sorted JSON.
    static func comparable(_ output: JSONValue, role: AgentRole, run: UUID) -> String {
        let text: String
        switch role {
        case .codegenEngineer, .autoFixer:
            var files: [String] = []
            if case .array(let items)? = output["files"] { files = items.compactMap(\.stringValue) }
            text = (output["diff"]?.stringValue ?? "") + "\n[files]\n" + files.joined(separator: "\n")
        case .reviewer:
            text = (output["title"]?.stringValue ?? "") + "\n\n" + (output["markdown"]?.stringValue ?? "")
        case .devOps:
            text = json(.object(["ready": output["ready"] ?? .null]))
        case .qaEvaluator:
            var fields: [String: JSONValue] = [:]
            for key in ["score", "tests_passed", "tests_failed", "checks_passed", "checks_failed", "failing_files", "test_files"] { fields[key] = output[key] ?? .null }
            if case .array(let checks)? = output["checks"] {
                fields["checks"] = .array(checks.map { .object(["name": $0["name"] ?? .null, "status": $0["status"] ?? .null, "files": $0["files"] ?? .null]) })
            }
            text = json(.object(fields))
        default:
            text = json(output)
        }
        return text.replacingOccurrences(of: run.lowercaseText, with: "{run}")
    }

    /// An output as its recording is stored: JSON with sorted keys.
    static func canonical(_ output: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(output)
    }

    private static func json(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? ""
    }

    /// The first line where `expected` and `actual` differ, with two lines before it.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let left = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let right = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let index = zip(left, right).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(left.count, right.count)
        let context = left[max(0, index - 2)..<min(index, left.count)].map { "  \($0.prefix(160))" }
        let removed = index < left.count ? ["- \(left[index].prefix(160))"] : ["- (the recording ends here)"]
        let added = index < right.count ? ["+ \(right[index].prefix(160))"] : ["+ (the replay ends here)"]
        return "line \(index + 1) differs:\n" + (context + removed + added).joined(separator: "\n")
    }
}
