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
            let inserted = try await session.execute("""
                INSERT INTO processed_events (consumer, event_id) VALUES (\(name), \(event.id))
                ON CONFLICT DO NOTHING
                """)
            guard inserted == 1 else { return false }
            try await handler(session)
            return true
        }
    }
}
