-- Cost per working app: each step's provider cost as the agent-service estimated it (by model,
-- META_BUILDER_MODEL_PRICES), the run's sum, and when its building ended — it was reviewed and
-- went to finalizing or to approval; set once — so the manifest states the build time without
-- counting a wait for a person or depending on when it is written.
ALTER TABLE run_steps ADD COLUMN cost_usd double precision NOT NULL DEFAULT 0 CHECK (cost_usd >= 0);
ALTER TABLE runs
    ADD COLUMN cost_usd double precision NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
    ADD COLUMN built_at timestamptz;
