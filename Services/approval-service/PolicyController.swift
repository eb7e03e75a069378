import Foundation
import Hummingbird
import Shared

/// The tenant's approval policy under `/api/meta/v2/approval-policy`: every role reads it;
/// owners and admins replace it (audited). Gates copy the policy when they open, so a change
/// applies to gates opened afterwards.
struct PolicyController: Sendable {
    let policies: PolicyRepository

    func register(_ routes: ServiceRoutes) {
        let policy = routes.api.group("approval-policy")
        policy.get { _, context in try await show(context) }
        policy.put { request, context in try await replace(request, context) }
    }

    /// `GET /approval-policy`: the policy in force, the tenant's own or the configured default.
    private func show(_ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readApproval)
        return try await policies.rendered(tenant: context.tenantID)
    }

    /// `PUT /approval-policy`: replaces the tenant's policy (all three settings).
    private func replace(_ request: Request, _ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .manageApprovalPolicy)
        let policy = try PolicyRequest.parse(Data(buffer: try await request.body.collect(upTo: context.maxUploadSize)))
        return try await policies.replace(with: policy, by: context.principal)
    }
}
