import Foundation

/// Makes event handling idempotent: the event id is recorded in `processed_events` in the same
/// transaction as the handler's effects, so a redelivered event is skipped.
public struct EventConsumer: Sendable {
    private let pool: PostgresPool
    /// The consumer's name (one service may run several consumers).
    public let name: String

    /// Creates a consumer.
    public init(pool: PostgresPool, name: String) {
        self.pool = pool
        self.name = name
    }

    /// Runs `handler` for the event unless this consumer already processed it; returns whether it ran.
    @discardableResult
    public func handle(_ event: CloudEvent, _ handler: (PostgresSession) async throws -> Void) async throws -> Bool {
        try await pool.transaction(deadline: .after(.seconds(30))) { session in
            guard try await record(event, on: session) else { return false }
            try await handler(session)
            return true
        }
    }

    /// Whether this consumer already processed the event: a cheap look before work that must
    /// call other services before it writes (and so cannot run inside `handle`'s transaction).
    public func hasProcessed(_ event: CloudEvent) async throws -> Bool {
        let rows = try await pool.query("SELECT 1 FROM processed_events WHERE consumer = \(name) AND event_id = \(event.id)", deadline: .after(.seconds(30)))
        return !rows.isEmpty
    }

    /// Records the event as processed in the caller's transaction (a tenant's, say), so the
    /// record commits with the handler's effects; false when it was processed already — the
    /// caller then writes nothing.
    public func record(_ event: CloudEvent, on session: PostgresSession) async throws -> Bool {
        try await session.execute("""
            INSERT INTO processed_events (consumer, event_id) VALUES (\(name), \(event.id))
            ON CONFLICT DO NOTHING
            """) == 1
    }
}
