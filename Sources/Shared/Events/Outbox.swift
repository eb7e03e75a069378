import Foundation

/// Writes events into the service's outbox table inside the caller's transaction, so an event
/// exists if and only if its state change committed.
public enum Outbox {
    /// Adds an event to the outbox on the given (transactional) session.
    public static func enqueue(_ event: CloudEvent, on session: PostgresSession) async throws {
        let payload = JSONText(try event.encoded())
        try await session.executeDeferred("""
            INSERT INTO outbox (id, event_type, channel, tenant_id, payload)
            VALUES (\(event.id), \(event.type), \(CloudEvent.channel(for: event.type)), \(event.tenantid.flatMap(UUID.init(uuidString:))), \(payload)::jsonb)
            """)
    }
}
