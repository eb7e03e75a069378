-- Specifications and their plan versions, tenant-scoped with forced row-level security.
CREATE TABLE specs (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    mode text NOT NULL CHECK (mode IN ('freeform', 'guided')),
    form jsonb,
    acceptance_criteria jsonb NOT NULL DEFAULT '[]'::jsonb,
    target_repository text,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'planned')),
    latest_plan_version integer NOT NULL DEFAULT 0,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX specs_tenant_created ON specs (tenant_id, created_at DESC, id DESC);
CREATE INDEX specs_tenant_status_created ON specs (tenant_id, status, created_at DESC, id DESC);
ALTER TABLE specs ENABLE ROW LEVEL SECURITY;
ALTER TABLE specs FORCE ROW LEVEL SECURITY;
CREATE POLICY specs_tenant_isolation ON specs
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE plans (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    spec_id uuid NOT NULL REFERENCES specs (id) ON DELETE CASCADE,
    version integer NOT NULL,
    formal_spec jsonb NOT NULL,
    plan jsonb NOT NULL,
    risk_score integer NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    risk_level text NOT NULL,
    usage jsonb NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (tenant_id, spec_id, version)
);
CREATE INDEX plans_tenant_spec_created ON plans (tenant_id, spec_id, created_at DESC, id DESC);
ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE plans FORCE ROW LEVEL SECURITY;
CREATE POLICY plans_tenant_isolation ON plans
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
