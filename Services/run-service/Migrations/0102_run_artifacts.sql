-- What finalizing leaves behind (docs/run-service.md, "Artifacts"): per run the ZIP of the
-- scaffold, its manifest and the pull-request body — blobs in the content-addressed artifact
-- store, named here by sha256 — and the git branch with the run's one commit. A run whose
-- artifacts cannot be built fails with the reason `artifact_error`.

ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
    'agent_error', 'iteration_cap', 'token_budget', 'time_budget', 'fingerprint_changed', 'artifact_error'));

-- One row per run and kind; a finalizing that runs again (a takeover) upserts the same content.
CREATE TABLE run_artifacts (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('zip', 'manifest', 'pull_request')),
    -- The blob's address in the store: lower-case hex sha256 of its bytes.
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size bigint NOT NULL CHECK (size >= 0),
    content_type text NOT NULL,
    file_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (tenant_id, run_id, kind)
);
ALTER TABLE run_artifacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_artifacts FORCE ROW LEVEL SECURITY;
CREATE POLICY run_artifacts_tenant_isolation ON run_artifacts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The branch `meta-builder/run-<run id>`: one commit on top of the base repository's commit
-- (`repository_kind` 'base'), or the only commit of a bare repository made for the run ('bare').
CREATE TABLE run_branches (
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name text NOT NULL,
    repository text NOT NULL,
    repository_kind text NOT NULL CHECK (repository_kind IN ('base', 'bare')),
    -- Object ids: sha1 (40 hex digits), or sha256 (64) in a repository of that object format.
    commit_sha text NOT NULL CHECK (commit_sha ~ '^[0-9a-f]{40}([0-9a-f]{24})?$'),
    base_commit_sha text CHECK (base_commit_sha ~ '^[0-9a-f]{40}([0-9a-f]{24})?$'),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, run_id),
    -- A bare repository made for the run has no base commit.
    CHECK (repository_kind = 'base' OR base_commit_sha IS NULL)
);
ALTER TABLE run_branches ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_branches FORCE ROW LEVEL SECURITY;
CREATE POLICY run_branches_tenant_isolation ON run_branches
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
