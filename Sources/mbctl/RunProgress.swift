import Foundation
import Shared

/// A run's progress as its events tell it, event by event: state, iteration, steps done, tokens
/// and time from the first step, so a replayed history shows each moment as it was (not the run
/// as it stands now). The caps come from the run itself.
struct RunProgress: Sendable {
    /// The run's state after the events so far.
    private(set) var status = "queued"
    /// The iteration of the latest step.
    private(set) var iteration = 0
    /// Steps finished (and finalizing, once the run succeeded).
    private(set) var stepsDone = 0
    /// Tokens the finished steps reported.
    private(set) var tokens = 0
    /// Seconds from the first step to the latest event.
    private(set) var seconds = 0.0
    private var firstStepAt: Date?
    /// The caps, raised by `run.extended`.
    private var maxIterations: Int
    private var tokenBudget: Int
    private var timeout: Int

    /// The state for a run whose caps `run` (`GET /runs/{id}`) carries, before any event.
    init(caps run: JSONValue) {
        maxIterations = run.at("caps", "max_iterations")?.integer ?? 0
        tokenBudget = run.at("caps", "token_budget")?.integer ?? 0
        timeout = run.at("caps", "timeout_s")?.integer ?? 0
    }

    /// Steps in all of the loop as it stands: three per iteration (Codegen or the Auto-Fixer,
    /// DevOps, QA), then the Reviewer and finalizing.
    var stepsTotal: Int { 3 * max(iteration, 1) + 2 }

    /// Applies one event (`data: {sequence, type, at, data}`); what happened, for people.
    mutating func apply(_ event: ServerSentEvent) -> String {
        let envelope = (try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8))) ?? .null
        let data = envelope["data"] ?? .null
        if let at = envelope["at"]?.stringValue, let date = try? RFC3339.parse(at, field: "at") {
            if firstStepAt == nil, event.type == "run.step.started" { firstStepAt = date }
            if let firstStepAt { seconds = max(seconds, date.timeIntervalSince(firstStepAt)) }
        }
        if let value = data["iteration"]?.integer { iteration = max(iteration, value) }
        if let value = data["status"]?.stringValue { status = value }
        switch event.type {
        case "run.step.started":
            return "\(data["role"].text) started"
        case "run.step.completed":
            stepsDone += 1
            let used = data["tokens"]?.integer ?? 0
            tokens += used
            return "\(data["role"].text) completed (\(RunView.grouped(used)) tokens)"
        case "run.started": status = "queued"
        case "run.awaiting_approval": status = "awaiting_approval"
        case "run.awaiting_budget": status = "awaiting_budget"
        case "run.extended":
            status = "queued"
            if let caps = data["caps"] {
                maxIterations = caps["max_iterations"]?.integer ?? maxIterations
                tokenBudget = caps["token_budget"]?.integer ?? tokenBudget
                timeout = caps["timeout_s"]?.integer ?? timeout
            }
        case "run.finalizing": status = "finalizing"
        case "run.succeeded":
            status = "succeeded"
            stepsDone += 1
        case "run.failed": status = "failed"
        case "run.cancelled": status = "cancelled"
        case "run.rejected": status = "rejected"
        default: break
        }
        if let reason = data["reason"]?.stringValue ?? data["cap"]?.stringValue { return "\(event.type) (\(reason))" }
        return event.type
    }

    /// `generating  iter 1/4  [#####.....]  2/5 steps  tokens 1,200/2,000,000  time 3s/900s`.
    func line(_ console: Console) -> String {
        let total = stepsTotal
        let done = min(stepsDone, total)
        let width = 20
        let filled = done * width / total
        let bar = "[" + console.styled(String(repeating: "#", count: filled), .green) + String(repeating: ".", count: width - filled) + "]"
        let state = console.state(status) + String(repeating: " ", count: max(0, 17 - status.count))
        return "\(state) iter \(iteration)/\(maxIterations)  \(bar) \(done)/\(total) steps  tokens \(RunView.grouped(tokens))/\(RunView.grouped(tokenBudget))  time \(Int(seconds.rounded()))s/\(timeout)s"
    }
}
