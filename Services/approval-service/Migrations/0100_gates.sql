-- Approval gates, the decisions on them and the per-tenant approval policy, tenant-scoped with
-- forced row-level security; and the gates' expiry times in a table that holds no tenant data,
-- through which the sweeper finds expired gates of every tenant without BYPASSRLS.

-- A tenant's approval policy. Without a row the configuration's defaults apply
-- (META_BUILDER_APPROVAL_REQUIRED, _SELF_ALLOWED, _TTL_HOURS). A gate copies the policy when it
-- opens: a later change does not move the goalposts of a gate already open.
CREATE TABLE policies (
    tenant_id uuid PRIMARY KEY,
    required_approvals integer NOT NULL CHECK (required_approvals BETWEEN 1 AND 10),
    self_approval_allowed boolean NOT NULL,
    gate_ttl_hours integer NOT NULL CHECK (gate_ttl_hours BETWEEN 1 AND 8760),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
ALTER TABLE policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE policies FORCE ROW LEVEL SECURITY;
CREATE POLICY policies_tenant_isolation ON policies
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- One gate per run iteration that waits for approval, with everything a reviewer decides on:
-- the risk, the pull-request body, the diff and evaluation summaries, the rollback evidence and
-- plan, and the policy it is decided under.
CREATE TABLE gates (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL,
    spec_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    iteration integer NOT NULL CHECK (iteration >= 1),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    risk_score integer NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    -- {plan_score, threshold, reasons: [text], flags: [{factor, weight, detail}]}
    risk jsonb NOT NULL,
    -- {title, markdown}, the Reviewer's body (absent when the run has none)
    pull_request jsonb,
    -- {files: [{path, additions, deletions}], additions, deletions, iterations: [{iteration, role, additions, deletions}]}
    diff_summary jsonb NOT NULL,
    -- the reviewed evaluation's figures and checks
    eval_summary jsonb NOT NULL,
    -- {status: passed|failed|missing, checks: [{name, status, output_tail?}]}
    rollback jsonb NOT NULL CHECK (rollback ->> 'status' IN ('passed', 'failed', 'missing')),
    -- {down_migrations: [{version, name, sql}], data_lost: {tables}, branch: {...}, artifacts: {...}}
    rollback_plan jsonb NOT NULL,
    required_approvals integer NOT NULL DEFAULT 1 CHECK (required_approvals BETWEEN 1 AND 10),
    self_approval_allowed boolean NOT NULL DEFAULT false,
    run_created_by text NOT NULL,
    expires_at timestamptz NOT NULL,
    decided_at timestamptz,
    -- why a decided gate was not approved: 'rejected' (by a reviewer) or 'expired'
    decision_reason text CHECK (decision_reason IN ('rejected', 'expired')),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- A gate is never opened twice for the same iteration of a run.
    UNIQUE (tenant_id, run_id, iteration),
    UNIQUE (tenant_id, id),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((status IN ('rejected', 'expired')) = (decision_reason IS NOT NULL)),
    CHECK (status <> 'expired' OR decision_reason = 'expired')
);
-- The list's order: pending first, then newest.
CREATE INDEX gates_tenant_pending_created ON gates (tenant_id, ((status = 'pending')::int) DESC, created_at DESC, id DESC);
CREATE INDEX gates_tenant_status_created ON gates (tenant_id, status, created_at DESC, id DESC);
ALTER TABLE gates ENABLE ROW LEVEL SECURITY;
ALTER TABLE gates FORCE ROW LEVEL SECURITY;
CREATE POLICY gates_tenant_isolation ON gates
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The decisions on a gate: one per actor. The sweeper's expiry is a decision too, by
-- 'service:approval-service'.
CREATE TABLE decisions (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    gate_id uuid NOT NULL,
    decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
    actor text NOT NULL,
    comment text CHECK (char_length(comment) <= 2000),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (tenant_id, gate_id, actor),
    FOREIGN KEY (tenant_id, gate_id) REFERENCES gates (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE decisions FORCE ROW LEVEL SECURITY;
CREATE POLICY decisions_tenant_isolation ON decisions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- When each pending gate expires: gate id, tenant id and time, nothing else. A row exists exactly
-- while its gate is pending (written and deleted in the gate's own transactions); the sweeper
-- reads it across tenants and does the expiry inside the gate's tenant transaction.
CREATE TABLE gate_expiries (
    gate_id uuid PRIMARY KEY REFERENCES gates (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX gate_expiries_due ON gate_expiries (expires_at);
