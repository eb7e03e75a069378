/// A run's risk score: the plan's rule-based score, raised — never lowered — by what building it
/// found. Each finding adds its weight (capped at 100) and names itself in `reasons`.
struct RunRisk: Sendable, Equatable {
    /// The score, 0–100.
    let score: Int
    /// Why it is above the plan's score (`factor: detail`), empty when it is not.
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

    /// Scores a run whose final evaluation is `report`, reached in `iterations` evaluations.
    init(planScore: Int, report: EvalSummary, iterations: Int) {
        var reasons: [String] = []
        var score = max(0, min(100, planScore))
        func raise(_ finding: Finding, _ detail: String) {
            score = min(100, score + finding.rawValue)
            reasons.append(detail)
        }
        if iterations > 1 {
            raise(.neededAutofix, "needed_autofix: the first evaluation failed; \(iterations - 1) fix iteration(s) changed code")
        }
        let rollback = report.checks.filter { $0.name.hasPrefix("rollback") }
        if rollback.isEmpty || rollback.contains(where: { $0.status != "passed" }) {
            raise(.rollbackUnverified, "rollback_unverified: the down migrations were not verified")
        }
        let skipped = report.checks.filter { $0.status == "skipped" }.map(\.name)
        if !skipped.isEmpty {
            raise(.checksSkipped, "checks_skipped: \(skipped.joined(separator: ", "))")
        }
        self.score = score
        self.reasons = reasons
    }
}
