import Foundation
import Logging
import Shared

/// Runs one agent execution exactly once per idempotency key: claims the key, runs the agent on
/// the chosen provider (always the deterministic one for the roles that execute things: DevOps
/// and QA), records output and usage. A retried call with the same key and body gets
/// the recorded result; the same key with a different body is ALREADY_EXISTS. An agent still
/// running 5 s past the execution's deadline is cancelled (DEADLINE_EXCEEDED), and the claim is
/// leased until 15 s past it: while the lease runs a retry is ABORTED with Retry-After, once it
/// has expired (the process died) a retry takes the execution over. While it runs, an execution
/// is in `inFlight`, where its caller can cancel it: it then ends CANCELLED, recorded as failed.
struct AgentExecutor: Sendable {
    let registry: AgentRegistry
    let providers: [String: any AgentProvider]
    let defaultProvider: String
    let repository: AgentExecutionRepository
    let inFlight: InFlightExecutions
    let logger: Logger

    /// Executes `request` for `role` on behalf of `principal`.
    func execute(role: AgentRole, request: AgentExecutionRequest, principal: Principal) async throws -> AgentExecutionResult {
        let key = request.idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 200 else {
            throw WireError.invalidArgument(field: "idempotency_key", "must be 1-200 characters")
        }
        let requested = request.provider ?? defaultProvider
        guard providers[requested] != nil else {
            throw WireError.invalidArgument(field: "provider", "must be one of \(providers.keys.sorted().joined(separator: ", "))")
        }
        let agent = try registry.agent(for: role)
        // DevOps and QA execute things: a model never stands in for them, whatever was asked.
        let providerName = agent.alwaysDeterministic ? DeterministicProvider.providerName : requested
        let requestedModel = agent.alwaysDeterministic ? nil : request.model
        guard let provider = providers[providerName] else {
            throw WireError(.failedPrecondition, "provider '\(providerName)' is not available")
        }
        try provider.checkConfigured()
        try agent.validateInput(request.input)
        let hash = try requestHash(request, provider: providerName, model: requestedModel)
        let model = requestedModel ?? provider.defaultModel
        let deadline = RequestScope.current?.deadline ?? .after(Self.defaultDeadline)
        let (record, isNew) = try await repository.claim(
            tenant: principal.tenantID, role: role, key: key, requestHash: hash,
            principal: principal, provider: providerName, model: model, input: request.input,
            leasedUntil: Deadline(deadline.instant + Self.leaseGrace)
        )
        guard isNew else {
            guard record.requestHash == hash else {
                throw WireError(.alreadyExists, "idempotency key '\(key)' was already used with a different request")
            }
            return try record.result(replayed: true)
        }
        let execution = inFlight.start(tenant: principal.tenantID, key: key, id: record.id)
        // It ends once its outcome is recorded: a canceller waits for that.
        defer { inFlight.finish(execution) }
        let started = ContinuousClock.now
        do {
            let outcome = try await Self.bounded(by: deadline, cancellation: execution.cancellation) {
                try await provider.run(agent, input: request.input, model: requestedModel, tenant: principal.tenantID)
            }
            guard execution.settle() else { throw Self.cancelledByCaller }
            let usage = AgentUsage(
                promptTokens: outcome.promptTokens,
                completionTokens: outcome.completionTokens,
                costEstimateUSD: provider.cost(promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens, model: outcome.model),
                durationMilliseconds: Self.milliseconds(since: started),
                cacheHit: outcome.cacheHit,
                provider: providerName,
                model: outcome.model
            )
            let completed = try await Self.recording { try await repository.complete(record.id, key: key, for: principal, output: outcome.output, usage: usage) }
            logger.info("agent executed", metadata: [
                "agent.role": "\(role.rawValue)", "agent.provider": "\(providerName)",
                "agent.tokens": "\(usage.totalTokens)", "agent.cache_hit": "\(usage.cacheHit)",
            ])
            return try completed.result(replayed: false)
        } catch {
            // Cancelled by its caller before its own outcome settled: CANCELLED, whatever the agent did.
            let cancelled = !execution.settle()
            let wire = cancelled ? Self.cancelledByCaller : (error as? any WireErrorConvertible)?.wireError ?? WireError(.internal, "agent failed")
            // Completions paid for before the failure count against the execution.
            let spent = error as? ProviderFailure
            let usage = AgentUsage(
                promptTokens: spent?.promptTokens ?? 0,
                completionTokens: spent?.completionTokens ?? 0,
                costEstimateUSD: provider.cost(promptTokens: spent?.promptTokens ?? 0, completionTokens: spent?.completionTokens ?? 0, model: spent?.model ?? model),
                durationMilliseconds: Self.milliseconds(since: started),
                cacheHit: false,
                provider: providerName,
                model: spent?.model ?? model
            )
            // Recorded even when this request was cancelled: a claim left running would hold the
            // key until the execution's deadline, and every retry would wait for it.
            try? await Task.detached { [repository] in
                try await Self.recording { try await repository.fail(record.id, role: role, key: key, for: principal, error: wire, usage: usage, cancelledByCaller: cancelled) }
            }.value
            if cancelled {
                logger.info("agent execution cancelled by its caller", metadata: ["agent.role": "\(role.rawValue)"])
                throw wire
            }
            throw error
        }
    }

    /// The deadline of an execution called outside a request scope.
    static let defaultDeadline = Duration.seconds(30)
    /// How long past its deadline a running agent is cancelled: a role that keeps to the deadline
    /// itself (QA returns its report) finishes first.
    static let cancelGrace = Duration.seconds(5)
    /// How long past its deadline an execution keeps its claim: it has been cancelled by then,
    /// with time left to record its outcome.
    static let leaseGrace = Duration.seconds(15)

    /// The error of an execution its caller cancelled (`POST /internal/v1/executions/cancel`).
    static let cancelledByCaller = WireError(.cancelled, "cancelled by its caller")

    /// Runs `body`, cancelling it (and waiting for it to stop) once `deadline` plus `cancelGrace`
    /// has passed, DEADLINE_EXCEEDED then, or once `cancellation` opens, CANCELLED then.
    private static func bounded<T: Sendable>(by deadline: Deadline, cancellation: Latch, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline.instant + cancelGrace, clock: .continuous)
                throw WireError(.deadlineExceeded, "the agent did not finish within its deadline")
            }
            group.addTask {
                await cancellation.wait()
                try Task.checkCancellation()
                throw cancelledByCaller
            }
            // The first child to end decides; leaving the group cancels the others and awaits them.
            defer { group.cancelAll() }
            guard let value = try await group.next() else { preconditionFailure("the group has three children") }
            return value
        }
    }

    private func requestHash(_ request: AgentExecutionRequest, provider: String, model: String?) throws -> String {
        let canonical = try AgentJSON.text(AgentExecutionRequest(idempotencyKey: "", input: request.input, provider: provider, model: model))
        return Digest.sha256Hex(canonical)
    }

    /// How long recording an outcome keeps trying while the database is unreachable (a restart
    /// takes seconds).
    static let recordingPatience = Duration.seconds(30)

    /// Runs `record` (storing an execution's outcome), retrying while the database is
    /// unavailable for up to `recordingPatience`: an outcome that is not recorded leaves its
    /// claim running, which holds the idempotency key until the execution's deadline.
    private static func recording<T: Sendable>(_ record: @Sendable () async throws -> T) async throws -> T {
        let giveUp = ContinuousClock.now + recordingPatience
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await record()
            } catch let error as any WireErrorConvertible where error.wireError.code == .unavailable && ContinuousClock.now + delay < giveUp {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
