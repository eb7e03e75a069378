import Foundation

/// Appends audit records (who, what, when, tenant) in the caller's transaction.
public enum AuditLog {
    /// Records one state change made by a principal; details must carry no PII.
    public static func record(
        _ action: String,
        resourceType: String,
        resourceID: String,
        by principal: Principal,
        details: JSONValue = .object([:]),
        on session: PostgresSession
    ) async throws {
        try await session.executeDeferred("""
            INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id, details, trace_id)
            VALUES (\(UUID()), \(principal.tenantID), \(principal.userID), \(action), \(resourceType), \(resourceID),
                    \(JSONText(encoding: details))::jsonb, \(RequestScope.current?.trace.traceID))
            """)
    }
}
