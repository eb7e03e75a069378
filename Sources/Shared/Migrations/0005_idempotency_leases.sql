-- Idempotency for operations that span calls to other services and so cannot run inside one
-- transaction (planning): the key row is claimed first, committed, and marked in progress until
-- its lease expires; a claim whose request died is taken over once the lease has passed.
ALTER TABLE idempotency_keys ADD COLUMN lease_expires_at timestamptz;
