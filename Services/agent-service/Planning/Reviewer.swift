import Shared

/// Run summary → pull-request body: summary, files, migrations, risks, test results, rollback plan.
struct Reviewer {
    /// Writes the PR body.
    func review(_ summary: RunSummary) -> PullRequestBody {
        let spec = summary.plan.spec
        let risk = summary.plan.security?.risk
        var lines = ["## Summary", ""]
        lines.append("Scaffold for **\(spec.title)**: \(spec.entities.map(\.name).joined(separator: ", ")) on \(summary.plan.stack.framework) + \(summary.plan.stack.database), built in \(summary.iterations) iteration(s), evaluation score \(summary.score)/100.")
        if !spec.summary.isEmpty { lines += ["", spec.summary] }
        lines += ["", "## Files (\(summary.files.count))", ""]
        lines += summary.files.sorted().map { "- `\($0)`" }
        lines += ["", "## Migrations", ""]
        lines += summary.plan.migrations.map { "- \($0.version). `\($0.name)` (with rollback)" }
        lines += ["", "## Risks", ""]
        if let risk {
            lines.append("Risk score **\(risk.score)/100** (\(risk.level)).")
            lines += risk.flags.map { "- `\($0.factor)` (+\($0.weight)): \($0.detail)" }
        } else {
            lines.append("No security review attached.")
        }
        lines += ["", "## Test results", ""]
        lines.append("\(summary.testsPassed) passed, \(summary.testsFailed) failed.")
        lines += ["", "## Rollback plan", ""]
        lines.append("Run the down migrations in reverse order (\(summary.plan.migrations.reversed().map(\.name).joined(separator: " → "))), then revert this pull request\(summary.branch.map { " (branch `\($0)`)" } ?? "").")
        return PullRequestBody(title: "Scaffold: \(spec.title)", markdown: lines.joined(separator: "\n") + "\n")
    }
}
