-- The approval decision a run waiting in `awaiting_approval` gets from the approval-service, the
-- rollback executed when it is rejected, and the runs waiting for a decision: a table holding
-- no tenant data (ids, tenant id, since when), through which the reconciler asks the
-- approval-service about every waiting run across tenants without BYPASSRLS.

ALTER TABLE runs
    ADD COLUMN approval text CHECK (approval IN ('approved', 'rejected')),
    ADD COLUMN gate_id uuid,
    ADD COLUMN decided_by text,
    ADD COLUMN decision_reason text,
    -- What rejecting the run undid on its preview resources.
    ADD COLUMN rollback jsonb,
    ADD CHECK (approval IS NULL OR gate_id IS NOT NULL);

CREATE TABLE run_approvals_pending (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL,
    since timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- When the reconciler last asked the approval-service about this run.
    checked_at timestamptz
);
CREATE INDEX run_approvals_pending_checked ON run_approvals_pending (checked_at NULLS FIRST, since);
