import Foundation
import Hummingbird
import Shared

/// `GET /api/meta/v2/audit`: the tenant's audit trail from all four services (owner and admin,
/// as the audit trail tells who did what across the tenant), newest first, filtered by
/// `resource_type`, `resource_id`, `actor`, `action`, `service`, `since` and `until`, paged by
/// `page_size` (1–100, 50) and `page_token`.
struct AuditTrailController: Sendable {
    let trail: AuditTrail

    func register(_ routes: ServiceRoutes) {
        routes.api.get("audit") { request, context in try await list(request, context) }
    }

    private func list(_ request: Request, _ context: TenantRequestContext) async throws -> AuditFeed.Page {
        try RBAC.authorize(context.principal, .readAudit)
        let parameters = request.uri.queryParameters
        let lookup: (String) -> String? = { parameters[$0[...]].map(String.init) }
        let query = try AuditQuery(parameter: lookup, pageSizes: 1...100, defaultPageSize: 50)
        let services = try lookup("service").map { name -> Set<String> in
            guard trail.services.contains(name) else {
                throw WireError.invalidArgument(field: "service", "must be one of \(trail.services.sorted().joined(separator: ", "))")
            }
            return [name]
        }
        return try await trail.page(query, tenant: context.tenantID, services: services)
    }
}
