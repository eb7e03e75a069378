-- Event ids a consumer has handled, written in the handler's transaction: a redelivered event
-- is recognised and skipped.
CREATE TABLE processed_events (
    consumer text NOT NULL,
    event_id uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
