import Foundation
import Hummingbird

/// One service's audit records, read by cursor: `GET /internal/v1/audit` (service tokens only,
/// mounted on every service by `ServiceApplication`) pages the `audit_log` of the tenant the
/// token acts for, newest first, filtered by `AuditQuery`. The approval-service merges the four
/// feeds into the tenant's trail at query time, so a record is in the trail as soon as the
/// transaction that wrote it committed, whatever pub/sub delivered.
public struct AuditFeed: Sendable {
    /// A page of records and the token of the next one (none on the last page).
    public struct Page: Codable, Sendable, Equatable, ResponseEncodable {
        /// The records, newest first.
        public var records: [AuditRecord]
        /// The `page_token` of the next page, when there is one.
        public var nextPageToken: String?

        /// Creates a page.
        public init(records: [AuditRecord], nextPageToken: String?) {
            self.records = records
            self.nextPageToken = nextPageToken
        }

        enum CodingKeys: String, CodingKey {
            case records
            case nextPageToken = "next_page_token"
        }
    }

    /// The largest page a feed serves (the approval-service asks for one more than its own largest).
    public static let pageSizes = 1...200

    let pool: PostgresPool
    /// The name of the service whose records these are.
    public let service: String

    /// Creates the feed of `service`'s own `audit_log`.
    public init(pool: PostgresPool, service: String) {
        self.pool = pool
        self.service = service
    }

    /// A page of the tenant's records matching `query` (one round trip, under row-level security).
    public func page(_ query: AuditQuery, tenant: UUID) async throws -> Page {
        let rows = try await pool.read(tenant: tenant, """
            SELECT id, \(service)::text AS service, actor, action, resource_type, resource_id, trace_id, details::text AS details,
                   to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
            FROM audit_log WHERE true\(query.condition)
            ORDER BY created_at DESC, id DESC LIMIT \(query.pageSize + 1)
            """, as: AuditRecord.self)
        let records = Array(rows.prefix(query.pageSize))
        return Page(records: records, nextPageToken: rows.count > query.pageSize ? records.last.map(query.token(after:)) : nil)
    }

    /// Adds `GET /internal/v1/audit` to the internal routes (which admit service tokens only);
    /// the user the token acts for must be allowed to read the audit trail.
    func register(on internalAPI: RouterGroup<TenantRequestContext>) {
        internalAPI.get("audit") { request, context -> Page in
            try RBAC.authorize(context.principal, .readAudit)
            let parameters = request.uri.queryParameters
            let query = try AuditQuery(parameter: { parameters[$0[...]].map(String.init) }, pageSizes: Self.pageSizes, defaultPageSize: 100)
            return try await page(query, tenant: context.tenantID)
        }
    }
}
