import Shared

/// How the API writes a gate, rendered by Postgres in the read's round trip (selected `AS json`
/// with the list keyset, see `GateRow`): the list item, and the full gate with its evidence and
/// decisions. Optional fields are left out when absent; times are RFC 3339 UTC, whole seconds.
enum GateView {
    /// A gate without its evidence: what `GET /approvals` and the internal gate list show.
    static let summary: SQL = "(\(summaryObject))::text AS json, \(keyset)"

    /// A gate with its risk, pull-request body, diff and evaluation summaries, rollback plan and
    /// decisions: `GET /approvals/{id}` and the answers of decisions and gate openings.
    static let detail: SQL = """
        (\(summaryObject) || jsonb_build_object(
            'risk', risk, 'diff_summary', diff_summary, 'eval_summary', eval_summary, 'rollback_plan', rollback_plan,
            'decisions', coalesce((
                SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                    'id', d.id, 'decision', d.decision, 'actor', d.actor, 'comment', d.comment,
                    'created_at', \(RenderedRow.timestamp("d.created_at")))) ORDER BY d.created_at, d.id)
                FROM decisions d WHERE d.gate_id = gates.id), '[]'::jsonb))
        || jsonb_strip_nulls(jsonb_build_object('pull_request', pull_request))
        )::text AS json, \(keyset)
        """

    /// The list order's keys: pending first, then newest (ties by id).
    private static let keyset: SQL = "(status = 'pending')::int AS pending, created_at, id"

    /// The gate's own columns, its policy, its approvals so far and, once it is closed, who closed
    /// it (the latest decision's actor), as a `jsonb` expression over `gates`.
    private static let summaryObject: SQL = """
        jsonb_build_object(
            'id', id, 'run_id', run_id, 'spec_id', spec_id, 'plan_id', plan_id, 'iteration', iteration,
            'status', status, 'risk_score', risk_score,
            'required_approvals', required_approvals, 'self_approval_allowed', self_approval_allowed,
            'approvals', (SELECT count(*) FROM decisions d WHERE d.gate_id = gates.id AND d.decision = 'approve'),
            'rollback', rollback, 'run_created_by', run_created_by,
            'expires_at', \(RenderedRow.timestamp("expires_at")), 'created_at', \(RenderedRow.timestamp("created_at")))
        || jsonb_strip_nulls(jsonb_build_object(
            'title', pull_request ->> 'title', 'decision_reason', decision_reason,
            'decided_at', \(RenderedRow.timestamp("decided_at")),
            'decided_by', CASE WHEN status <> 'pending' THEN (
                SELECT d.actor FROM decisions d WHERE d.gate_id = gates.id ORDER BY d.created_at DESC, d.id DESC LIMIT 1) END))
        """
}
