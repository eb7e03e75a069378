-- Events written in the same transaction as the state change they describe; the outbox relay
-- publishes them to Redis and marks them published. Not tenant-scoped: the relay reads every
-- tenant's events (each event carries its tenant in the payload).
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    event_type text NOT NULL,
    channel text NOT NULL,
    tenant_id uuid,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;
