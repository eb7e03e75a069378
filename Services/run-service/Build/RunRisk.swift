import Shared

/// A run's risk score: the plan's rule-based score, raised — never lowered — by what building it
/// found and by what its diffs change (`DiffRisk`); then a model reviewer may raise it further,
/// with a reason, never lower it. Each finding adds its weight (capped at 100) and names itself,
/// with what it added, in `reasons`: `factor (+weight): detail`.
struct RunRisk: Sendable, Equatable {
    /// The score, 0–100.
    let score: Int
    /// Why it is above the plan's score, in the order applied, empty when it is not.
    let reasons: [String]

    /// Weights of what the evaluation can find.
    enum Finding: Int, CaseIterable {
        /// The first evaluation failed and the Auto-Fixer changed code to pass.
        case neededAutofix = 10
        /// A rollback check did not pass (or did not run): the down migrations are unproven.
        case rollbackUnverified = 20
        /// Some checks were skipped: less was verified than the plan asks for.
        case checksSkipped = 5
    }

    /// Scores a run whose final evaluation is `report`, reached in `iterations` evaluations,
    /// whose diffs scored `diff`, and whose reviewer assessed `reviewer` (a model's; none from
    /// the rule-based reviewer).
    init(planScore: Int, report: EvalSummary, iterations: Int, diff: DiffRisk, reviewer: ReviewerRisk? = nil) {
        var reasons: [String] = []
        var score = max(0, min(100, planScore))
        func raise(_ factor: String, by weight: Int, _ detail: String) {
            let added = min(100, score + weight) - score
            score += added
            reasons.append("\(factor) (+\(added)): \(detail)")
        }
        if iterations > 1 {
            raise("needed_autofix", by: Finding.neededAutofix.rawValue, "the first evaluation failed; \(iterations - 1) fix iteration(s) changed code")
        }
        let rollback = report.checks.filter { $0.name.hasPrefix("rollback") }
        if rollback.isEmpty || rollback.contains(where: { $0.status != "passed" }) {
            raise("rollback_unverified", by: Finding.rollbackUnverified.rawValue, "the down migrations were not verified")
        }
        let skipped = report.checks.filter { $0.status == "skipped" }.map(\.name)
        if !skipped.isEmpty {
            raise("checks_skipped", by: Finding.checksSkipped.rawValue, skipped.joined(separator: ", "))
        }
        for finding in diff.findings {
            raise(finding.rule.rawValue, by: finding.rule.weight, finding.detail)
        }
        if let reviewer, min(100, reviewer.score) > score {
            raise("reviewer", by: min(100, reviewer.score) - score, reviewer.reason)
        }
        self.score = score
        self.reasons = reasons
    }
}
