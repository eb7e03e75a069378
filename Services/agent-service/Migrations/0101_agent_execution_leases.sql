-- A `running` execution holds its idempotency key only until its lease expires (the execution's
-- deadline, on the database clock): a retry takes over the claim of an execution whose process
-- died before it recorded an outcome. Rows running before this migration get a lease of the
-- longest deadline a request may carry (15 minutes) from when they started.
ALTER TABLE agent_executions ADD COLUMN lease_expires_at timestamptz;
UPDATE agent_executions SET lease_expires_at = created_at + interval '15 minutes' WHERE status = 'running';
