-- What the build loop records beyond the run's core: who the run acts for, its risk, the
-- injected fault (a diagnostic option), the Reviewer's pull-request body and the gate; per step
-- the reservation it holds and its usage; per iteration the diff and the evaluation report.

ALTER TABLE runs
    -- Background work calls the other services as the run-service acting for this user and role.
    ADD COLUMN created_by_role text NOT NULL DEFAULT 'owner' CHECK (created_by_role IN ('owner', 'admin', 'member', 'viewer')),
    ADD COLUMN plan_version integer NOT NULL DEFAULT 1 CHECK (plan_version >= 1),
    -- The plan's rule-based risk score, and the run's: raised (never lowered) by the evaluation.
    ADD COLUMN plan_risk_score integer NOT NULL DEFAULT 0 CHECK (plan_risk_score BETWEEN 0 AND 100),
    ADD COLUMN risk_score integer CHECK (risk_score BETWEEN 0 AND 100),
    ADD COLUMN risk_reasons jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN approval_threshold integer NOT NULL DEFAULT 70 CHECK (approval_threshold BETWEEN 0 AND 101),
    ADD COLUMN fault text,
    ADD COLUMN pull_request jsonb;

ALTER TABLE run_steps
    -- The ceiling reserved on the run's ledger while the step is in flight (0 once settled).
    ADD COLUMN reserved_tokens bigint NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
    ADD COLUMN prompt_tokens bigint NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    ADD COLUMN completion_tokens bigint NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    ADD COLUMN provider text,
    ADD COLUMN model text,
    ADD COLUMN duration_ms bigint CHECK (duration_ms >= 0);

-- The diff of each iteration: Codegen's in iteration 1, the Auto-Fixer's after.
CREATE TABLE run_diffs (
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    iteration integer NOT NULL CHECK (iteration >= 1),
    role text NOT NULL CHECK (role IN ('codegen_engineer', 'auto_fixer')),
    diff text NOT NULL,
    -- [{"path", "additions", "deletions"}], sorted by path.
    files jsonb NOT NULL,
    additions integer NOT NULL CHECK (additions >= 0),
    deletions integer NOT NULL CHECK (deletions >= 0),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, run_id, iteration)
);
ALTER TABLE run_diffs ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_diffs FORCE ROW LEVEL SECURITY;
CREATE POLICY run_diffs_tenant_isolation ON run_diffs
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The QA Evaluator's report of each iteration.
CREATE TABLE run_reports (
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    iteration integer NOT NULL CHECK (iteration >= 1),
    report jsonb NOT NULL,
    score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    passed boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, run_id, iteration)
);
ALTER TABLE run_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY run_reports_tenant_isolation ON run_reports
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
