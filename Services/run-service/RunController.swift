import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// The run-service's public API under `/api/meta/v2`: start, list, read, cancel, extend,
/// regenerate and replay runs.
struct RunController: Sendable {
    let repository: RunRepository
    let specs: SpecClient
    let loop: BuildLoop
    let active: ActiveBuilds
    let settings: RunSettings
    let rateLimiter: RateLimiter
    let events: RunEventStream

    func register(_ routes: ServiceRoutes) {
        routes.api.post("specs/:id/runs") { request, context in try await start(request, context) }
        let runs = routes.api.group("runs")
        runs.get { request, context in try await list(request, context) }
        runs.get(":id") { _, context in try await show(context) }
        runs.post(":id/cancel") { _, context in try await cancel(context) }
        runs.post(":id/extend") { request, context in try await extend(request, context) }
        runs.post(":id/regenerate") { request, context in try await regenerate(request, context) }
        runs.post(":id/replay") { request, context in try await replay(request, context) }
        runs.get(":id/events") { request, context in try await streamEvents(request, context) }
    }

    /// `POST /specs/{id}/runs`: a queued run of the spec's latest plan (or `plan_id`), planning
    /// the spec first when it has no plan. 202 with the run; with `wait`, the answer comes when
    /// the run ended or waits for approval (200), or when the request's time is nearly up (202
    /// with the run as it stands).
    private func start(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .startRun)
        let specID = try Self.id(context, "spec")
        let key = try IdempotentCreate.validate(key: request.headers[.idempotencyKey])
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let (options, raw) = try StartRunRequest.parse(Data(buffer: body), settings: settings)
        let plan = try await specs.plan(spec: specID, planID: options.planID, planningKey: "run-start:\(key ?? UUID().lowercaseText)")
        let new = RunRepository.NewRun(specID: specID, plan: plan, options: options, approvalThreshold: settings.approvalThreshold)
        return try await create(key: key, operation: "run.start", identity: .object(["spec_id": .string(specID.lowercaseText), "body": raw]), wait: options.wait, context) { session in
            try await repository.create(new, by: context.principal, on: session)
        }
    }

    /// `POST /runs/{id}/regenerate`: a queued run (202) of the run's spec (or `spec_id`) that,
    /// when it finalizes, merges its new generation three-way with the user's edits of the
    /// run's branch onto a branch of its own (`RegenerationMerge`). Limited and idempotent like a
    /// start; with `wait`, answered like one.
    private func regenerate(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .startRun)
        let sourceID = try Self.id(context, "run")
        let key = try IdempotentCreate.validate(key: request.headers[.idempotencyKey])
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let (specOverride, parsed, raw) = try RegenerateRunRequest.parse(Data(buffer: body), settings: settings)
        let source = try await repository.regenerationSource(sourceID, tenant: context.tenantID)
        let specID = specOverride ?? source.specID
        var options = parsed
        options.baseRepository = source.baseRepository
        let plan = try await specs.plan(spec: specID, planID: options.planID, planningKey: "run-regenerate:\(key ?? UUID().lowercaseText)")
        let new = RunRepository.NewRun(specID: specID, plan: plan, options: options, approvalThreshold: settings.approvalThreshold, regenerates: sourceID)
        return try await create(key: key, operation: "run.regenerate", identity: .object(["run_id": .string(sourceID.lowercaseText), "body": raw]), wait: options.wait, context) { session in
            try await repository.create(new, by: context.principal, on: session)
        }
    }

    /// `POST /runs/{id}/replay`: a queued run (202) re-executing an ended run from its recording
    /// (`ReplayRecording`): deterministic agents and DevOps/QA run again, model-backed steps are
    /// answered from the recording, and the first step whose output differs fails it
    /// `replay_diverged`. Limited and idempotent like a start; with `wait`, answered like one.
    private func replay(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .startRun)
        let sourceID = try Self.id(context, "run")
        let key = try IdempotentCreate.validate(key: request.headers[.idempotencyKey])
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let wait = try ReplayRunRequest.parse(Data(buffer: body))
        return try await create(key: key, operation: "run.replay", identity: .object(["run_id": .string(sourceID.lowercaseText), "wait": .bool(wait)]), wait: wait, context) { session in
            try await repository.createReplay(of: sourceID, by: context.principal, on: session)
        }
    }

    /// Creates a run with `insert` idempotently under `key` (the request's `identity` hashed),
    /// within the tenant's hourly limit of runs: 202 with the run, or with `wait` 200 once it
    /// settled.
    private func create(
        key: String?, operation: String, identity: JSONValue, wait: Bool, _ context: TenantRequestContext,
        insert: @escaping @Sendable (PostgresSession) async throws -> String
    ) async throws -> Response {
        let tenant = context.tenantID
        let outcome = try await IdempotentCreate.run(
            pool: repository.pool, tenant: tenant, operation: operation, key: key,
            requestHash: try IdempotentCreate.hash(identity), status: 202,
            admit: { [rateLimiter] in try await rateLimiter.enforce(tenant: tenant, action: .runs).headers }
        ) { session in
            Data(try await insert(session).utf8)
        }
        var response = JSONCoding.response(outcome.body, status: outcome.status)
        if wait, let runID = try? JSONValue(parsing: outcome.body)["id"]?.stringValue.flatMap(UUID.init(text:)) {
            if let settled = try await settledRun(runID, tenant: tenant) { response = JSONCoding.response(Data(settled.utf8), status: 200) }
        }
        for (name, value) in outcome.headers { response.headers[HTTPField.Name(name)!] = value }
        if outcome.replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    /// The run once it ended or waits for a person (approval, a larger budget); nil when the request's deadline (less a
    /// margin to answer in) comes first.
    private func settledRun(_ id: UUID, tenant: UUID) async throws -> String? {
        let deadline = RequestScope.current?.deadline ?? .after(.seconds(30))
        let answerBy = Deadline(deadline.instant - Self.waitMargin)
        while !answerBy.isExpired {
            let status = try await repository.status(id, tenant: tenant)
            if status.isTerminal || status.waitsForAPerson {
                return try await repository.rendered(id, tenant: tenant).json
            }
            try await Task.sleep(for: min(Self.waitPoll, answerBy.remaining))
        }
        return nil
    }

    /// How often a waiting start looks at its run, and how long before the request's deadline
    /// it gives up waiting to answer 202.
    static let waitPoll = Duration.milliseconds(200)
    static let waitMargin = Duration.milliseconds(750)

    /// `GET /runs`: the tenant's runs, newest first, filtered by `status`, `spec_id`,
    /// `created_after`, `created_before`.
    private func list(_ request: Request, _ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readRun)
        let query = request.uri.queryParameters
        var filter = RunRepository.Filter()
        if let raw = query["status"].map(String.init) {
            guard let status = RunStatus(rawValue: raw) else {
                throw WireError.invalidArgument(field: "status", "must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = status
        }
        if let raw = query["spec_id"].map(String.init) {
            guard let spec = UUID(text: raw) else { throw WireError.invalidArgument(field: "spec_id", "must be a spec id (a UUID)") }
            filter.specID = spec
        }
        filter.createdAfter = try query["created_after"].map { try RFC3339.parse(String($0), field: "created_after") }
        filter.createdBefore = try query["created_before"].map { try RFC3339.parse(String($0), field: "created_before") }
        let token = try query["page_token"].map { try PageToken(encoded: String($0)) }
        return try await repository.list(tenant: context.tenantID, filter: filter, pageSize: try PageToken.pageSize(query["page_size"].map(String.init)), after: token)
    }

    /// `GET /runs/{id}`.
    private func show(_ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readRun)
        return JSONBody(try await repository.rendered(try Self.id(context, "run"), tenant: context.tenantID).json)
    }

    /// `POST /runs/{id}/cancel`: the run becomes `cancelled` at once; then its build here stops,
    /// its agent executions are cancelled (their subprocesses killed) and its sandbox is removed.
    private func cancel(_ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .cancelRun)
        let id = try Self.id(context, "run")
        let cancelled = try await repository.cancel(id, by: context.principal)
        active.stop(id)
        await loop.cancelExecutions(id, creator: context.principal)
        await loop.cleanSandbox(id, creator: context.principal, failed: false)
        return JSONBody(cancelled.json)
    }

    /// `POST /runs/{id}/extend`: raises the caps of a run paused at a budget; it is queued again
    /// and continues from its last finished step. Rate-limited per tenant (`extensions`).
    private func extend(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .extendRun)
        let id = try Self.id(context, "run")
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let raise = try ExtendRunRequest.parse(Data(buffer: body), settings: settings)
        let admitted = try await rateLimiter.enforce(tenant: context.tenantID, action: .extensions)
        let extended = try await repository.extend(id, with: raise, stepTokenCeiling: settings.stepTokenCeiling, by: context.principal)
        loop.metrics.extensions.increment()
        var response = JSONCoding.response(Data(extended.json.utf8), status: 200)
        for (name, value) in admitted.headers { response.headers[HTTPField.Name(name)!] = value }
        return response
    }

    /// `GET /runs/{id}/events`: the run's events as Server-Sent Events, resuming after
    /// `Last-Event-ID`.
    private func streamEvents(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .readRun)
        let after = try RunEventStream.lastEventID(request.headers[.init("Last-Event-ID")!])
        return try await events.response(run: try Self.id(context, "run"), tenant: context.tenantID, after: after)
    }

    /// The `:id` path parameter; a malformed id cannot name an existing resource: NOT_FOUND.
    private static func id(_ context: TenantRequestContext, _ kind: String) throws -> UUID {
        let raw = try context.parameters.require("id")
        guard let id = UUID(text: raw) else { throw WireError.notFound(kind, id: raw) }
        return id
    }
}
