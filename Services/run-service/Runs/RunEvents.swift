import Foundation
import Shared

/// The events of a run. Each is stored twice in the transaction of its state change: in
/// `run_events` under the run's next sequence number (the SSE stream's source) and in the outbox
/// (the relay publishes it), with the sequence in its data. They carry ids, states and figures,
/// never PII.
enum RunEvents {
    static let source = "/meta-builder/run-service"

    /// The event types a run goes through.
    enum Kind: String, Sendable, CaseIterable {
        case started = "run.started"
        case stepStarted = "run.step.started"
        case stepCompleted = "run.step.completed"
        case awaitingBudget = "run.awaiting_budget"
        case extended = "run.extended"
        case awaitingApproval = "run.awaiting_approval"
        case finalizing = "run.finalizing"
        case succeeded = "run.succeeded"
        case failed = "run.failed"
        case cancelled = "run.cancelled"
        case rejected = "run.rejected"

        /// True for the event that ends a run's stream.
        var isTerminal: Bool { [.succeeded, .failed, .cancelled, .rejected].contains(self) }
    }

    /// Appends an event of `run` (its state change happening in the caller's transaction): bumps
    /// the run's sequence, stores the event and puts it in the outbox, in one statement that rides
    /// with the transaction's next statement or its COMMIT.
    static func append(_ kind: Kind, run: UUID, tenant: UUID, data: [String: JSONValue], on session: PostgresSession) async throws {
        var data = data
        data["run_id"] = .string(run.lowercaseText)
        let event = CloudEvent(source: source, type: kind.rawValue, subject: "runs/\(run.lowercaseText)", tenantID: tenant, data: .object(data))
        let payload = JSONText(try event.encoded())
        try await session.executeDeferred("""
            WITH bumped AS (
                UPDATE runs SET event_sequence = event_sequence + 1 WHERE id = \(run)
                RETURNING tenant_id, event_sequence
            ), stored AS (
                INSERT INTO run_events (tenant_id, run_id, sequence, type, data)
                SELECT tenant_id, \(run), event_sequence, \(kind.rawValue), jsonb_set(\(payload)::jsonb -> 'data', '{sequence}', to_jsonb(event_sequence))
                FROM bumped
            )
            INSERT INTO outbox (id, event_type, channel, tenant_id, payload)
            SELECT \(event.id), \(kind.rawValue), \(CloudEvent.channel(for: kind.rawValue)), tenant_id,
                   jsonb_set(\(payload)::jsonb, '{data,sequence}', to_jsonb(event_sequence))
            FROM bumped
            """)
    }
}
