import Foundation
import Hummingbird
import Shared

/// The agent-service's endpoints: `GET /api/meta/v2/agents`, the internal
/// `POST /internal/v1/agents/{role}/execute`, `POST /internal/v1/executions/cancel` (cancels
/// executions in flight on this instance) and `POST /internal/v1/sandboxes/{run}/cleanup`
/// (the run-service calls it when a run ends); cancels and cleanups are audited, as the
/// executions' outcomes are (`AgentExecutionRepository`).
struct AgentController: Sendable {
    let executor: AgentExecutor
    let inFlight: InFlightExecutions
    let registry: AgentRegistry
    let repository: AgentExecutionRepository
    let providers: [any AgentProvider]
    let defaultProvider: String
    let cleaner: SandboxCleaner

    /// The body of `GET /agents`.
    struct Catalogue: ResponseEncodable {
        struct RoleEntry: Codable {
            var role: AgentRole
            var summary: String
            var implemented: Bool
            /// The providers that really run the role (only `deterministic` for DevOps and QA).
            var providers: [String]
            var statistics: AgentRoleStatistics
        }
        struct ProviderEntry: Codable {
            var name: String
            var model: String
            var isDefault: Bool
            enum CodingKeys: String, CodingKey {
                case name, model
                case isDefault = "default"
            }
        }
        var roles: [RoleEntry]
        var providers: [ProviderEntry]
        /// The version of the scaffold templates (sha256 of their files).
        var templateVersion: String

        enum CodingKeys: String, CodingKey {
            case roles, providers
            case templateVersion = "template_version"
        }
    }

    /// The body of `POST /executions/cancel`: how many executions the call cancelled.
    struct Cancelled: ResponseEncodable {
        var cancelled: Int
    }

    /// The longest a cancel call waits for the executions it cancelled to end.
    static let cancelWait = Duration.seconds(10)

    func register(_ routes: ServiceRoutes) {
        routes.api.get("agents") { _, context in try await catalogue(context) }
        routes.internalAPI.post("agents/:role/execute") { request, context in
            try await execute(request, context)
        }
        routes.internalAPI.post("executions/cancel") { request, context in try await cancel(request, context) }
        routes.internalAPI.post("sandboxes/:run/cleanup") { request, context in try await clean(request, context) }
    }

    private func catalogue(_ context: TenantRequestContext) async throws -> Catalogue {
        try RBAC.authorize(context.principal, .readAgents)
        let statistics = try await repository.statistics(tenant: context.tenantID)
        let names = providers.map(\.name).sorted()
        return Catalogue(
            roles: AgentRole.allCases.map { role in
                .init(role: role, summary: role.summary, implemented: registry.isImplemented(role), providers: registry.providers(for: role, among: names), statistics: statistics[role] ?? .empty)
            },
            providers: providers.map { .init(name: $0.name, model: $0.defaultModel, isDefault: $0.name == defaultProvider) }.sorted { $0.name < $1.name },
            templateVersion: registry.templateVersion
        )
    }

    /// Cancels the caller's tenant's executions in flight here whose key starts with the prefix,
    /// answering once they have ended, or after `cancelWait` (or the request's deadline).
    private func cancel(_ request: Request, _ context: TenantRequestContext) async throws -> Cancelled {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let parsed = try CancelExecutionsRequest.parse(Data(buffer: body))
        let wait = min(Self.cancelWait, context.scope.deadline.remaining)
        let cancelled = await inFlight.cancel(tenant: context.principal.tenantID, keyPrefix: parsed.keyPrefix, waitingAtMost: wait)
        if cancelled > 0 {
            try await repository.audit("agent.cancel", resourceType: "agent_executions", resourceID: Redactor.redact(parsed.keyPrefix), by: context.principal, details: [
                "cancelled": .number(Double(cancelled)),
            ])
        }
        return Cancelled(cancelled: cancelled)
    }

    /// Cleans a run's sandbox and records what was done (`agent.sandbox.clean`).
    private func clean(_ request: Request, _ context: TenantRequestContext) async throws -> SandboxCleaner.Outcome {
        let body = try await request.decode(as: SandboxCleaner.Request.self, context: context)
        let run = try context.parameters.require("run")
        let outcome = try await cleaner.clean(run: run, failed: body.failed)
        var details: [String: JSONValue] = ["failed": .bool(body.failed), "kept": .bool(outcome.kept), "removed_workspaces": .bool(outcome.removedWorkspaces)]
        if let schema = outcome.droppedSchema { details["dropped_schema"] = .string(schema) }
        try await repository.audit("agent.sandbox.clean", resourceType: "sandbox", resourceID: run, by: context.principal, details: details)
        return outcome
    }

    private func execute(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let roleName = try context.parameters.require("role")
        guard let role = AgentRole(rawValue: roleName) else {
            throw WireError.notFound("agent role", id: roleName)
        }
        let body = try await request.decode(as: AgentExecutionRequest.self, context: context)
        let result = try await executor.execute(role: role, request: body, principal: context.principal)
        let data = try AgentJSON.text(result)
        return Response(status: result.replayed ? .ok : .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
