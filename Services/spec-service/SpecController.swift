import Foundation
import Hummingbird
import Metrics
import HTTPTypes
import Shared

/// The spec-service's public API under `/api/meta/v2`.
struct SpecController: Sendable {
    let repository: SpecRepository
    let pipeline: PlanningPipeline
    let rateLimiter: RateLimiter
    let specsCreated: Counter
    let plansGenerated: Counter

    func register(_ routes: ServiceRoutes) {
        let specs = routes.api.group("specs")
        specs.post { request, context in try await create(request, context) }
        specs.get { request, context in try await list(request, context) }
        specs.get(":id") { _, context in try await show(context) }
        specs.post(":id/plan") { request, context in try await plan(request, context) }
        specs.get(":id/plans") { request, context in try await plans(request, context) }
        specs.get(":id/plans/:planId") { _, context in try await showPlan(context) }
    }

    private func create(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .createSpec)
        let key = try IdempotentCreate.validate(key: request.headers[.idempotencyKey])
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: body)
        let (parsed, input, raw) = try CreateSpecRequest.parse(data)
        let principal = context.principal
        let tenant = context.tenantID
        let outcome = try await IdempotentCreate.run(
            pool: repository.pool, tenant: tenant, operation: "spec.create", key: key, requestHash: try IdempotentCreate.hash(raw),
            admit: { [rateLimiter] in try await rateLimiter.enforce(tenant: tenant, action: .specs).headers }
        ) { session in
            let spec = try await repository.create(input, targetRepository: parsed.targetRepository, by: principal, on: session)
            return try JSONCoding.encode(spec)
        }
        if !outcome.replayed { specsCreated.increment() }
        var response = JSONCoding.response(outcome.body, status: outcome.status)
        for (name, value) in outcome.headers { response.headers[HTTPField.Name(name)!] = value }
        if outcome.replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    private func list(_ request: Request, _ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readSpec)
        let query = request.uri.queryParameters
        let status = query["status"].map(String.init)
        if let status, !["draft", "planned"].contains(status) {
            throw WireError.invalidArgument(field: "status", "must be 'draft' or 'planned'")
        }
        let token = try query["page_token"].map { try PageToken(encoded: String($0)) }
        return try await repository.list(tenant: context.tenantID, status: status, pageSize: try PageToken.pageSize(query["page_size"].map(String.init)), after: token)
    }

    private func show(_ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readSpec)
        return try await repository.rendered(try specID(context), tenant: context.tenantID)
    }

    /// Plans a spec. With an `Idempotency-Key` a retry (say after a 504) replays the stored
    /// plan, or finishes the planning with the agents' recorded results, instead of making a
    /// second plan version.
    private func plan(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .planSpec)
        let key = try IdempotentCreate.validate(key: request.headers[.idempotencyKey])
        let spec = try await repository.find(try specID(context), tenant: context.tenantID)
        guard let key else { return try await planResponse(spec, attempt: UUID().lowercaseText, completing: nil, context) }
        let tenant = context.tenantID
        let claim = try await IdempotentOperation.claim(
            pool: repository.pool, tenant: tenant, operation: Self.planOperation, key: key,
            requestHash: IdempotentOperation.hash("POST /specs/\(spec.id)/plan"),
            leasedUntil: RequestScope.current?.deadline ?? .after(.seconds(60))
        )
        if case .finished(let status, let body) = claim {
            var response = JSONCoding.response(body, status: status)
            response.headers[.idempotentReplayed] = "true"
            return response
        }
        do {
            return try await planResponse(spec, attempt: "key:\(key)", completing: key, context)
        } catch {
            await IdempotentOperation.abandon(pool: repository.pool, tenant: tenant, operation: Self.planOperation, key: key)
            throw error
        }
    }

    /// The operation name plan keys are stored under.
    static let planOperation = "spec.plan"

    /// Runs the planning agents and stores the plan (completing the idempotency key, if any, in
    /// the same transaction).
    private func planResponse(_ spec: ScaffoldSpec, attempt: String, completing key: String?, _ context: TenantRequestContext) async throws -> Response {
        let decision = try await rateLimiter.enforce(tenant: context.tenantID, action: .plans)
        let result = try await pipeline.plan(spec, attempt: attempt)
        let plan = try await repository.storePlan(result, for: spec.id.uuid, by: context.principal) { plan, session in
            guard let key else { return }
            try await IdempotentOperation.complete(operation: Self.planOperation, key: key, status: 201, body: try JSONCoding.encode(plan), on: session)
        }
        plansGenerated.increment()
        var response = JSONCoding.response(try JSONCoding.encode(plan), status: 201)
        for (name, value) in decision.headers { response.headers[HTTPField.Name(name)!] = value }
        return response
    }

    private func plans(_ request: Request, _ context: TenantRequestContext) async throws -> PlanPage {
        try RBAC.authorize(context.principal, .readSpec)
        let query = request.uri.queryParameters
        let token = try query["page_token"].map { try PageToken(encoded: String($0)) }
        return try await repository.plans(of: try specID(context), tenant: context.tenantID, pageSize: try PageToken.pageSize(query["page_size"].map(String.init)), after: token)
    }

    private func showPlan(_ context: TenantRequestContext) async throws -> PlanVersion {
        try RBAC.authorize(context.principal, .readSpec)
        guard let planID = UUID(text: try context.parameters.require("planId")) else {
            throw WireError.notFound("plan", id: context.parameters.get("planId") ?? "")
        }
        return try await repository.plan(planID, of: try specID(context), tenant: context.tenantID)
    }

    /// A malformed id cannot name an existing spec: NOT_FOUND, like another tenant's id.
    private func specID(_ context: TenantRequestContext) throws -> UUID {
        let raw = try context.parameters.require("id")
        guard let id = UUID(text: raw) else { throw WireError.notFound("spec", id: raw) }
        return id
    }
}
