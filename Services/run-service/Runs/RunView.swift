import Shared

/// How the API writes a run, rendered by Postgres in the read's single round trip (selected
/// `AS json` with the list keyset, see `RenderedRow`): the list item, and the full run with its
/// steps, latest evaluation summary, gate and pull-request body. Optional fields are left out
/// when absent; times are RFC 3339 UTC in whole seconds, durations in milliseconds. A run paused at
/// a cap has `budget` (which cap, the field that raises it, why, since when, until when).
enum RunView {
    /// A run without its steps: what `GET /runs` lists.
    static let summary: SQL = "(\(summaryObject))::text AS json, created_at, id"

    /// A run with its steps, latest report summary, gate, pull-request body, approval decision,
    /// rollback record, artifacts and branch: `GET /runs/{id}`.
    static let detail: SQL = """
        (\(summaryObject) || jsonb_build_object(
            'steps', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                    'id', s.id, 'iteration', s.iteration, 'role', s.role, 'status', s.status,
                    'started_at', \(RenderedRow.timestamp("s.started_at")),
                    'finished_at', \(RenderedRow.timestamp("s.finished_at")),
                    'duration_ms', s.duration_ms, 'tokens', s.tokens, 'prompt_tokens', s.prompt_tokens,
                    'completion_tokens', s.completion_tokens, 'cache_hit', s.cache_hit,
                    'provider', s.provider, 'model', s.model, 'error', s.error) ORDER BY s.started_at, s.id)
                FROM run_steps s WHERE s.run_id = runs.id), '[]'::jsonb),
            'report', (
                SELECT jsonb_build_object(
                    'iteration', e.iteration, 'score', e.score, 'passed', e.passed,
                    'tests_passed', e.report -> 'tests_passed', 'tests_failed', e.report -> 'tests_failed',
                    'checks_passed', e.report -> 'checks_passed', 'checks_failed', e.report -> 'checks_failed',
                    'failing_files', e.report -> 'failing_files')
                FROM run_reports e WHERE e.run_id = runs.id ORDER BY e.iteration DESC LIMIT 1),
            'gate', CASE WHEN risk_score IS NOT NULL AND risk_score >= approval_threshold THEN jsonb_build_object(
                'status', CASE status WHEN 'awaiting_approval' THEN 'pending' WHEN 'rejected' THEN 'rejected'
                                      WHEN 'cancelled' THEN 'withdrawn' ELSE 'approved' END,
                'risk_score', risk_score, 'threshold', approval_threshold, 'reasons', risk_reasons) END,
            'pull_request', pull_request,
            'approval', CASE WHEN approval IS NULL THEN NULL ELSE jsonb_build_object(
                'decision', approval, 'gate_id', gate_id, 'decided_by', decided_by, 'reason', decision_reason) END,
            'rollback', rollback,
            'artifacts', \(ArtifactView.list), 'branch', \(ArtifactView.branch))
        )::text AS json, created_at, id
        """

    /// The run's own columns as a JSON object (a `jsonb` expression over `runs`).
    private static let summaryObject: SQL = """
        jsonb_build_object(
            'id', id, 'spec_id', spec_id, 'plan_id', plan_id, 'plan_version', plan_version,
            'status', status, 'iteration', iteration, 'provider', provider,
            'caps', jsonb_build_object('max_iterations', max_iterations, 'token_budget', token_budget, 'timeout_s', timeout_seconds,
                                       'cost_budget_usd', cost_budget_usd),
            'spent', jsonb_build_object(
                'iterations', iteration, 'tokens', tokens_spent, 'tokens_reserved', tokens_reserved,
                'cost_usd', round(cost_usd::numeric, 6),
                'seconds', CASE WHEN started_at IS NULL THEN 0
                                ELSE round((extract(epoch FROM coalesce(paused_at, finished_at, clock_timestamp()) - started_at)
                                            - paused_seconds::numeric), 3) END),
            'extensions', extensions,
            'risk', jsonb_build_object('plan_score', plan_risk_score, 'score', risk_score, 'threshold', approval_threshold,
                                       'reasons', coalesce(risk_reasons, '[]'::jsonb)),
            'created_by', created_by,
            'created_at', \(RenderedRow.timestamp("created_at")), 'updated_at', \(RenderedRow.timestamp("updated_at")))
        || CASE WHEN budget_cap IS NULL THEN '{}'::jsonb
                ELSE jsonb_build_object('budget', jsonb_build_object(
                    'cap', budget_cap, 'raise', CASE budget_cap \(unsafeSQL: BudgetCap.allCases.map { "WHEN '\($0.rawValue)' THEN '\($0.field)'" }.joined(separator: " ")) END,
                    'detail', budget_detail, 'paused_at', \(RenderedRow.timestamp("paused_at")),
                    'expires_at', (SELECT \(RenderedRow.timestamp("p.expires_at")) FROM run_budget_pauses p WHERE p.run_id = runs.id))) END
        || CASE WHEN failure_reason IS NULL THEN '{}'::jsonb
                ELSE jsonb_build_object('failure', jsonb_build_object('reason', failure_reason, 'detail', failure_detail)) END
        || jsonb_strip_nulls(jsonb_build_object(
            'base_repository', base_repository, 'fault', fault, 'regenerates', regenerates, 'replay_of', replay_of,
            'started_at', \(RenderedRow.timestamp("started_at")), 'finished_at', \(RenderedRow.timestamp("finished_at"))))
        """
}
