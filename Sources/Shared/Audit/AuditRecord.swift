import Foundation

/// One entry of a tenant's audit trail, as every service's feed and `GET /audit` write it:
/// who (`actor`, redacted of PII) did what (`action`) to which resource, when (`at`, RFC 3339
/// UTC with microseconds), in which service, under which request's trace. `details` carry ids,
/// states and figures, never PII.
public struct AuditRecord: Codable, Sendable, Equatable, PostgresRowDecodable {
    /// The record's id (lower-case UUID).
    public var id: String
    /// When the change was made (its transaction's time).
    public var at: String
    /// The service that made it (`spec-service`, `run-service`, `agent-service`, `approval-service`).
    public var service: String
    /// The user or service the change was made by or for.
    public var actor: String
    /// What was done (`spec.create`, `run.start`, `agent.execute`, `approval.approve`, …).
    public var action: String
    /// The kind of resource changed (`spec`, `run`, `gate`, …).
    public var resourceType: String
    /// Its id.
    public var resourceID: String
    /// The trace id of the request that caused it, when a request did.
    public var traceID: String?
    /// What changed, without PII.
    public var details: JSONValue

    /// Creates a record.
    public init(id: String, at: String, service: String, actor: String, action: String, resourceType: String, resourceID: String, traceID: String?, details: JSONValue) {
        self.id = id
        self.at = at
        self.service = service
        self.actor = actor
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.traceID = traceID
        self.details = details
    }

    /// Reads a row selected by `AuditFeed`; the actor is redacted here, so no feed ever writes PII.
    public init(row: PostgresRow) throws {
        self.init(
            id: try row.decode("id"), at: try row.decode("at"), service: try row.decode("service"),
            actor: Redactor.redact(try row.decode("actor")), action: try row.decode("action"),
            resourceType: try row.decode("resource_type"), resourceID: try row.decode("resource_id"),
            traceID: try row.decode("trace_id"), details: try row.decode("details", as: JSONText.self).decode(JSONValue.self)
        )
    }

    /// The cursor of the page after this record.
    public var cursor: AuditCursor { AuditCursor(at: at, id: id) }

    /// The trail's order: newest first, ties by id, descending — the order of `(created_at, id)`
    /// in Postgres, since `at` has one fixed width and ids are lower-case hex.
    public static func newestFirst(_ lhs: AuditRecord, _ rhs: AuditRecord) -> Bool {
        (lhs.at, lhs.id) > (rhs.at, rhs.id)
    }

    enum CodingKeys: String, CodingKey {
        case id, at, service, actor, action, details
        case resourceType = "resource_type"
        case resourceID = "resource_id"
        case traceID = "trace_id"
    }
}
