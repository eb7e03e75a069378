import Shared

/// A run (`GET /runs/{id}`) for people: the summary `run get`, `run start --wait` and the end of
/// `run watch` print, and what to do next.
struct RunView {
    /// The states a run never leaves.
    static let terminal: Set<String> = ["succeeded", "failed", "cancelled", "rejected"]
    /// The events that end a run's stream.
    static let terminalEvents: Set<String> = ["run.succeeded", "run.failed", "run.cancelled", "run.rejected"]
    /// The events after which a run ended or waits for a person.
    static let settlingEvents = terminalEvents.union(["run.awaiting_approval", "run.awaiting_budget"])

    /// Whether the run ended or waits for a person (approval, a larger budget).
    static func isSettled(_ run: JSONValue) -> Bool {
        terminal.contains(run["status"].text) || ["awaiting_approval", "awaiting_budget"].contains(run["status"].text)
    }

    /// Throws the exit status of a run that did not succeed (or waits for approval).
    static func exit(with run: JSONValue) throws {
        let status = ExitStatus.of(runStatus: run["status"].text)
        if status != .success { throw CLIFailure(status, "run \(run["id"].text) \(status == .runPaused ? "is" : "ended") \(run["status"].text)") }
    }

    /// The run as the API answered it.
    let run: JSONValue
    /// Where it is shown.
    let console: Console

    /// The run's state.
    var status: String { run["status"].text }

    /// Whether the run ended.
    var isTerminal: Bool { Self.terminal.contains(status) }

    /// The run's fields worth reading, in order.
    func summary() -> [(String, String)] {
        var fields: [(String, String)] = [
            ("run", run["id"].text),
            ("spec", "\(run["spec_id"].text) (plan v\(run["plan_version"].text))"),
            ("status", console.state(status)),
        ]
        if let failure = run["failure"], failure != .null {
            fields.append(("failure", console.styled("\(failure["reason"].text): \(failure["detail"].text)", .red)))
        }
        if let budget = run["budget"], budget != .null {
            let expiry = budget["expires_at"]?.stringValue.map { "; ends \($0) unless extended" } ?? ""
            fields.append(("paused", console.styled("at its \(budget["cap"].text) cap: \(budget["detail"].text)\(expiry)", .yellow)))
        }
        fields.append(("iterations", "\(run.at("spent", "iterations").text) of at most \(run.at("caps", "max_iterations").text)"))
        fields.append(("tokens", "\(Self.grouped(run.at("spent", "tokens")?.integer ?? 0)) of \(Self.grouped(run.at("caps", "token_budget")?.integer ?? 0))"))
        fields.append(("time", "\(Int((run.at("spent", "seconds")?.number ?? 0).rounded())) s of \(run.at("caps", "timeout_s").text) s"))
        let cost = run.at("spent", "cost_usd")?.number ?? 0
        if let budget = run.at("caps", "cost_budget_usd")?.number {
            fields.append(("cost", "\(cost) USD of \(budget) USD"))
        } else if cost > 0 {
            fields.append(("cost", "\(cost) USD"))
        }
        if let score = run.at("risk", "score"), score != .null {
            fields.append(("risk", "\(score.text) (threshold \(run.at("risk", "threshold").text), plan \(run.at("risk", "plan_score").text))"))
        }
        if let report = run["report"], report != .null {
            let verdict = report["passed"]?.boolean == true ? console.state("passed") : console.state("failed")
            fields.append(("evaluation", "\(verdict), score \(report["score"].text): tests \(report["tests_passed"].text) passed / \(report["tests_failed"].text) failed, checks \(report["checks_passed"].text) passed / \(report["checks_failed"].text) failed"))
        }
        if let gate = run["gate"], gate != .null { fields.append(("gate", console.state(gate["status"].text))) }
        if let approval = run["approval"], approval != .null {
            fields.append(("decision", "\(console.state(approval["decision"].text)) by \(approval["decided_by"].text)" + (approval["reason"]?.stringValue.map { " (\($0))" } ?? "")))
        }
        if let rollback = run["rollback"], rollback != .null {
            let artifacts = rollback["artifacts_published"]?.boolean == true ? "artifacts were published" : "nothing was published"
            fields.append(("rollback", "preview resources removed (\(rollback["sandbox"].map { Self.compact($0) } ?? "-")); \(artifacts)"))
        }
        if let title = run.at("pull_request", "title"), title != .null { fields.append(("pull request", title.text)) }
        if let branch = run["branch"], branch != .null {
            fields.append(("branch", "\(branch["name"].text) @ \(String(branch["commit"].text.prefix(12))) in \(branch["repository"].text)"))
        }
        let artifacts = run["artifacts"]?.items ?? []
        if !artifacts.isEmpty { fields.append(("artifacts", artifacts.map { $0["file_name"].text }.joined(separator: ", "))) }
        return fields
    }

    /// What to do next, for the run's state.
    func nextSteps() -> [String] {
        let id = run["id"].text
        switch status {
        case "awaiting_approval": return ["waiting for approval: mbctl approvals   then   mbctl approve \(id) -m '…'   or   mbctl reject \(id) -m '…'"]
        case "awaiting_budget":
            let flag = "--" + run.at("budget", "raise").text.replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: "timeout-s", with: "timeout")
            return ["paused at a cap: mbctl run extend \(id) \(flag) N --wait   or   mbctl run cancel \(id)"]
        case "succeeded": return ["artifacts: mbctl run artifacts \(id) --download DIR   report: mbctl run report \(id)   diff: mbctl run diff \(id)"]
        case "failed": return ["why: mbctl run report \(id)   diff: mbctl run diff \(id)"]
        default: return RunView.terminal.contains(status) ? [] : ["follow: mbctl run watch \(id)"]
        }
    }

    /// Prints the summary and the next steps.
    func print() {
        console.fields(summary())
        for line in nextSteps() { console.note(line) }
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// An object's keys and values on one line.
    static func compact(_ value: JSONValue) -> String {
        guard case .object(let object) = value else { return value.text }
        return object.keys.sorted().map { "\($0): \(object[$0].text)" }.joined(separator: ", ")
    }
}
