import Foundation
import Shared

/// What finalizing builds a run's artifacts from, read in one round trip in the run's tenant:
/// the run's ids, fingerprint, figures and pull-request body, its diffs in iteration order, and
/// its evaluations.
struct FinalizingRun: Sendable {
    /// One iteration's stored diff.
    struct Diff: Sendable {
        var iteration: Int
        var role: String
        var text: String
    }

    let id: UUID
    let specID: UUID
    let planID: UUID
    let planVersion: Int
    /// The copy of the plan the run built.
    let plan: JSONValue
    let createdAt: Date
    let fingerprint: RunFingerprint
    /// The base repository as the run names it (nil: an empty base tree).
    let baseRepository: String?
    let iterations: Int
    let tokensSpent: Int
    let tokenBudget: Int
    let riskScore: Int?
    let planRiskScore: Int
    let pullRequest: StepMessages.PullRequest
    /// The diffs, by iteration.
    let diffs: [Diff]
    /// Each evaluation's score, by iteration.
    let scores: [RunManifest.Score]
    /// The figures of the latest evaluation's report.
    let evaluation: EvalSummary
    /// What building the run cost.
    let cost: RunCost
    /// The earlier run's branch this run regenerates, if it does.
    let regeneration: RegenerationMerge.Source?

    /// Reads the run of `claim`; `ArtifactError` when it lacks what finalizing needs (a
    /// fingerprint, a pull-request body, a diff, an evaluation).
    static func load(_ claim: RunClaim, pool: PostgresPool) async throws -> FinalizingRun {
        let results = try await pool.batch(tenant: claim.tenantID, deadline: .after(RunJournal.timeout), [
            """
            SELECT id, spec_id, plan_id, plan_version, plan::text AS plan, created_at, fingerprint::text AS fingerprint, base_repository, iteration,
                   tokens_spent, token_budget, risk_score, plan_risk_score, pull_request::text AS pull_request
            FROM runs WHERE id = \(claim.runID)
            """,
            "SELECT iteration, role, diff FROM run_diffs WHERE run_id = \(claim.runID) ORDER BY iteration",
            "SELECT iteration, score, passed FROM run_reports WHERE run_id = \(claim.runID) ORDER BY iteration",
            "SELECT report::text AS report FROM run_reports WHERE run_id = \(claim.runID) ORDER BY iteration DESC LIMIT 1",
            RunCost.query(run: claim.runID),
            """
            SELECT r.regenerates, b.name, b.repository, b.repository_kind, coalesce(b.generated_commit_sha, b.commit_sha) AS generated
            FROM runs r LEFT JOIN run_branches b ON b.run_id = r.regenerates WHERE r.id = \(claim.runID) AND r.regenerates IS NOT NULL
            """,
        ])
        guard let row = results[0].first else { throw ArtifactError("the run is gone") }
        guard let fingerprint = try row.decode("fingerprint", as: JSONText?.self) else { throw ArtifactError("the run has no fingerprint") }
        guard let pullRequest = try row.decode("pull_request", as: JSONText?.self) else { throw ArtifactError("the run has no pull-request body") }
        let diffs = try results[1].map { Diff(iteration: try $0.decode("iteration"), role: try $0.decode("role"), text: try $0.decode("diff")) }
        guard !diffs.isEmpty else { throw ArtifactError("the run has no diff") }
        let reports = results[2]
        guard let latest = results[3].first else { throw ArtifactError("the run has no evaluation") }
        return FinalizingRun(
            id: try row.decode("id"), specID: try row.decode("spec_id"), planID: try row.decode("plan_id"),
            planVersion: try row.decode("plan_version"), plan: try row.decode("plan", as: JSONText.self).decode(JSONValue.self),
            createdAt: try row.decode("created_at"),
            fingerprint: try fingerprint.decode(RunFingerprint.self), baseRepository: try row.decode("base_repository"),
            iterations: try row.decode("iteration"), tokensSpent: try row.decode("tokens_spent"), tokenBudget: try row.decode("token_budget"),
            riskScore: try row.decode("risk_score"), planRiskScore: try row.decode("plan_risk_score"),
            pullRequest: try pullRequest.decode(StepMessages.PullRequest.self), diffs: diffs,
            scores: try reports.map { RunManifest.Score(iteration: try $0.decode("iteration"), score: try $0.decode("score"), passed: try $0.decode("passed")) },
            evaluation: try latest.decode("report", as: JSONText.self).decode(EvalSummary.self),
            cost: try RunCost(rows: results[4]),
            regeneration: try results[5].first.map(Self.regenerationSource)
        )
    }

    /// The regenerated run's branch from its row; an `ArtifactError` when it has none.
    private static func regenerationSource(_ row: PostgresRow) throws -> RegenerationMerge.Source {
        let run: UUID = try row.decode("regenerates")
        guard let branch: String = try row.decode("name"), let repository: String = try row.decode("repository"),
              let kind = BranchRepository.Kind(rawValue: try row.decode("repository_kind", as: String?.self) ?? ""),
              let generated: String = try row.decode("generated") else {
            throw ArtifactError("the regenerated run \(run.lowercaseText) has no branch")
        }
        return RegenerationMerge.Source(runID: run, branch: branch, repository: repository, kind: kind, generatedCommit: generated)
    }

    /// The branch the run's commit goes on.
    var branch: String { "meta-builder/run-\(id.lowercaseText)" }

    /// The pull-request body as the markdown artifact: the title as its first heading, and for a
    /// regeneration what the merge found.
    func pullRequestMarkdown(merge: RegenerationMerge?) -> Data {
        let body = pullRequest.markdown.hasSuffix("\n") ? pullRequest.markdown : pullRequest.markdown + "\n"
        return Data("# \(pullRequest.title)\n\n\(body)\(merge.map { "\n" + $0.markdown } ?? "")".utf8)
    }

    /// The commit message: the title, a blank line, the body.
    var commitMessage: String {
        "\(pullRequest.title)\n\n\(pullRequest.markdown)"
    }
}
