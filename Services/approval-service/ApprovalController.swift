import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import Shared

/// The approval-service's public API under `/api/meta/v2`: owners and admins decide gates,
/// every role reads them. Another tenant's ids are NOT_FOUND on every route, never PERMISSION_DENIED.
struct ApprovalController: Sendable {
    let repository: GateRepository
    let desk: DecisionDesk

    func register(_ routes: ServiceRoutes) {
        let runs = routes.api.group("runs")
        runs.post(":id/approve") { request, context in try await decide(.approve, request, context) }
        runs.post(":id/reject") { request, context in try await decide(.reject, request, context) }
        let approvals = routes.api.group("approvals")
        approvals.get { request, context in try await list(request, context) }
        approvals.get(":id") { _, context in try await show(context) }
    }

    /// `POST /runs/{id}/approve|reject`: a decision on the pending gate of the run's latest
    /// iteration, with the decision, the gate's new status, the audit record and (when it closes
    /// the gate) `approval.decided` in one transaction. 50 per tenant per hour by default;
    /// `Idempotency-Key` replays. Answers 200 with the gate.
    private func decide(_ decision: Decision, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .decideApproval)
        let run = try Self.uuid(context, "id", kind: "run")
        let key = try IdempotentCreate.validate(key: request.headers[.idempotencyKey])
        let (comment, raw) = try DecisionRequest.parse(Data(buffer: try await request.body.collect(upTo: context.maxUploadSize)), for: decision)
        let outcome = try await desk.decide(decision, comment: comment, raw: raw, run: run, by: context.principal, key: key)
        var response = JSONCoding.response(outcome.body, status: outcome.status)
        for (name, value) in outcome.headers { response.headers[HTTPField.Name(name)!] = value }
        if outcome.replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    /// `GET /approvals`: the tenant's gates, pending first, then newest; `status` filters,
    /// `page_size` (1–100, 20) and `page_token` page.
    private func list(_ request: Request, _ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readApproval)
        let query = request.uri.queryParameters
        let status = try query["status"].map { raw in
            guard let status = GateStatus(rawValue: String(raw)) else {
                throw WireError.invalidArgument(field: "status", "must be one of \(GateStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return status
        }
        let cursor = try query["page_token"].map { try GateListCursor(encoded: String($0)) }
        return try await repository.list(tenant: context.tenantID, status: status, pageSize: try PageToken.pageSize(query["page_size"].map(String.init)), after: cursor)
    }

    /// `GET /approvals/{id}`: one gate with its policy, decisions, evidence and rollback plan.
    private func show(_ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readApproval)
        return try await repository.rendered(try Self.uuid(context, "id", kind: "approval"), tenant: context.tenantID)
    }

    /// A path parameter that is an id; a malformed id cannot name an existing resource: NOT_FOUND.
    static func uuid(_ context: TenantRequestContext, _ parameter: String, kind: String) throws -> UUID {
        let raw = try context.parameters.require(parameter)
        guard let id = UUID(text: raw) else { throw WireError.notFound(kind, id: raw) }
        return id
    }
}
