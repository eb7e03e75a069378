import Foundation
import Logging
import Shared

/// One claimed run being built (see `BuildLoop`): its steps so far, its token ledger and its
/// deadline. A cap that is reached pauses the run (`awaiting_budget`) with what was spent; an
/// agent that fails for good or a fingerprint that changed ends it `failed` with the reason.
struct RunBuild {
    private let loop: BuildLoop
    private let claim: RunClaim
    private let run: RunRecord
    /// The latest attempt of each of the run's steps so far, by iteration and role.
    private let steps: [String: StepRecord]
    private var ledger: TokenLedger
    /// What the run's agent calls cost so far (USD), against its cost budget.
    private var costSpent: Double
    /// When a worker first claimed the run (set once it has begun).
    private var startedAt: Date?
    /// When the run's time is up (set once it has begun).
    private var deadline = Date.distantFuture
    /// The iteration whose evaluation the Reviewer reviewed (the gate's iteration).
    private var reviewedIteration = 0
    /// For a replay, the recording of the run it replays, and the steps replayed so far.
    private var recording: ReplayRecording?
    private var replayedSlots: [String] = []

    init(loop: BuildLoop, claim: RunClaim, run: RunRecord, steps: [StepRecord]) {
        self.loop = loop
        self.claim = claim
        self.run = run
        self.steps = Dictionary(steps.map { (ReplayRecording.slot($0.iteration, $0.role), $0) }) { $0.attempt >= $1.attempt ? $0 : $1 }
        ledger = TokenLedger(budget: run.tokenBudget, spent: run.tokensSpent, reserved: run.tokensReserved)
        costSpent = run.costUSD
    }

    /// Thrown once the run has been ended (or parked for approval) and recorded: unwinds the walk.
    private struct Ended: Error {}

    /// Walks the loop to its end.
    mutating func run() async throws {
        do {
            try await begin()
            try await review(try await buildAndEvaluate())
        } catch is Ended {
            return
        }
    }

    // MARK: - The loop

    /// Checks the fingerprint (recording it on the first claim) and starts the clock.
    private mutating func begin() async throws {
        let ground = try await RequestScope.$current.withValue(RequestScope(deadline: .after(.seconds(30)), principal: run.creator)) {
            try await loop.catalogue.ground(provider: run.provider)
        }
        let current = RunFingerprint(
            planSHA256: try RunFingerprint.digest(run.plan), provider: ground.provider, model: ground.model,
            templateVersion: ground.templateVersion, loopVersion: RunFingerprint.currentLoopVersion,
            stepTokenCeiling: loop.settings.stepTokenCeiling, baseRepository: run.baseRepository,
            baseCommit: await loop.baseCommit(of: run.baseRepository), fault: run.fault
        )
        if let recorded = run.fingerprint {
            let changes = current.changes(since: recorded)
            guard changes.isEmpty else {
                try await end(.failed(.fingerprintChanged, detail: "FAILED_PRECONDITION: the run was resumed on different ground: \(changes.joined(separator: ", ")) changed since it started", step: nil))
            }
        }
        if let source = run.replayOf {
            recording = try await ReplayRecording.load(source, tenant: claim.tenantID, pool: loop.journal.pool)
        }
        let started = try await loop.journal.begin(claim, fingerprint: current)
        if run.startedAt == nil { loop.metrics.started.increment() }
        startedAt = started
        deadline = run.deadline(startedAt: started)
        // An approved run only finalizes (its steps replay): the wait for a person is not build time.
        if run.approval != .approved { try await checkTime(during: "starting") }
    }

    /// Codegen, then apply → evaluate → fix until an evaluation passes; the last report.
    private mutating func buildAndEvaluate() async throws -> Evaluated {
        let generated = try await step(
            1, .codegenEngineer, .generating,
            StepMessages.CodegenInput(plan: run.plan, baseRepository: run.baseRepository, fault: run.fault),
            as: StepMessages.DiffOutput.self
        ) { output, _, claim, session in
            try await RunJournal.recordDiff(output.diff, iteration: 1, role: .codegenEngineer, claim: claim, on: session)
        }.output
        var diff = generated.diff
        var diffs = [DiffRisk.Diff(iteration: 1, role: AgentRole.codegenEngineer.rawValue, text: generated.diff)]
        var files = Set(generated.files)
        var iteration = 1
        while true {
            let prepared = try await step(
                iteration, .devOps, .applying,
                StepMessages.DevOpsInput(runID: claim.runID.lowercaseText, iteration: iteration, diff: diff, baseRepository: iteration == 1 ? run.baseRepository : nil),
                as: StepMessages.DevOpsOutput.self
            ).output
            let (summary, report) = try await step(
                iteration, .qaEvaluator, .evaluating,
                StepMessages.QAInput(runID: claim.runID.lowercaseText, iteration: iteration, plan: run.plan, workspace: prepared.workspace),
                as: EvalSummary.self
            ) { summary, report, claim, session in
                try await RunJournal.recordReport(report, summary: summary, claim: claim, on: session)
            }
            if summary.passed { return Evaluated(summary: summary, files: files.sorted(), iterations: iteration, diffs: diffs) }
            // QA had the run's remaining time: a failing report at the deadline was cut short by it.
            try await checkTime(during: "fixing what evaluation \(iteration) found (it scored \(summary.score)/100)")
            guard iteration < run.maxIterations else {
                let failing = summary.failingFiles.isEmpty ? "" : "; failing files: \(summary.failingFiles.joined(separator: ", "))"
                try await end(.awaitingBudget(.iterations, detail: "\(iteration) of \(run.maxIterations) evaluations used; the last scored \(summary.score)/100 with \(summary.checksFailed) failed checks and \(summary.testsFailed) failed tests\(failing)", step: nil))
            }
            let next = iteration + 1
            let fix = try await step(
                next, .autoFixer, .fixing,
                StepMessages.FixerInput(plan: run.plan, report: report, workspace: prepared.workspace),
                as: StepMessages.DiffOutput.self
            ) { output, _, claim, session in
                try await RunJournal.recordDiff(output.diff, iteration: next, role: .autoFixer, claim: claim, on: session)
            }.output
            diff = fix.diff
            diffs.append(DiffRisk.Diff(iteration: next, role: AgentRole.autoFixer.rawValue, text: fix.diff))
            files.formUnion(fix.files)
            iteration = next
        }
    }

    /// What the evaluation ended with.
    private struct Evaluated {
        var summary: EvalSummary
        var files: [String]
        var iterations: Int
        /// Every diff applied, in order.
        var diffs: [DiffRisk.Diff]
    }

    /// The Reviewer's pull-request body, the risk score, then the gate or the end.
    private mutating func review(_ evaluated: Evaluated) async throws {
        let summary = evaluated.summary
        reviewedIteration = evaluated.iterations
        let (reviewed, pullRequest) = try await step(
            evaluated.iterations, .reviewer, .reviewing,
            StepMessages.ReviewInput(
                runID: claim.runID.lowercaseText, plan: run.plan, files: evaluated.files, iterations: evaluated.iterations,
                testsPassed: summary.testsPassed, testsFailed: summary.testsFailed, score: summary.score,
                branch: "meta-builder/run-\(claim.runID.lowercaseText)"
            ),
            as: StepMessages.PullRequest.self
        )
        if let recording {
            // A replay delivers nothing: once every recorded step was reproduced, it ends.
            if let missed = recording.order.first(where: { !replayedSlots.contains($0) }) {
                try await end(.failed(.replayDiverged, detail: "the replay ended its loop before step \(missed) of the recording of run \(recording.runID.lowercaseText): it took another path", step: nil))
            }
        }
        let risk = RunRisk(
            planScore: run.planRiskScore, report: summary, iterations: evaluated.iterations,
            diff: DiffRisk(diffs: evaluated.diffs, plannedFiles: Self.plannedFiles(run.plan)), reviewer: reviewed.risk
        )
        if recording != nil {
            try await loop.journal.finalize(claim, risk: risk, pullRequest: pullRequest)
            try await end(.succeeded(risk, pullRequest: pullRequest))
        }
        if risk.score >= run.approvalThreshold, run.approval != .approved {
            try await end(.awaitingApproval(risk, pullRequest: pullRequest))
        }
        try await loop.journal.finalize(claim, risk: risk, pullRequest: pullRequest)
        try await buildArtifacts()
        try await end(.succeeded(risk, pullRequest: pullRequest))
    }

    /// The paths of the files the plan lists.
    private static func plannedFiles(_ plan: JSONValue) -> Set<String> {
        guard case .array(let files)? = plan["files"] else { return [] }
        return Set(files.compactMap { $0["path"]?.stringValue })
    }

    /// Builds and records the run's artifacts (again, after a takeover: the same ones); a
    /// failure to build them fails the run `artifact_error`.
    private func buildArtifacts() async throws {
        do {
            try await loop.artifacts.build(claim)
        } catch let error as ArtifactError {
            try await end(.failed(.artifactError, detail: "building the run's artifacts failed: \(error.detail)", step: nil))
        }
    }

    // MARK: - Steps

    /// Runs one step, or replays it when it already finished. A new step reserves the call's
    /// token ceiling first (the run pauses at its token budget when that does not fit); a step
    /// left running keeps its reservation and key; a step the time cap interrupted is called again
    /// as its next attempt. The output is read as `Output` before the step is recorded (one the
    /// run-service cannot read fails the run: the agent broke its contract), and `alongside`
    /// records what it means (a diff, a report) in the transaction that completes the step.
    private mutating func step<Output: Decodable & Sendable>(
        _ iteration: Int,
        _ role: AgentRole,
        _ status: RunStatus,
        _ input: some Encodable & Sendable,
        as type: Output.Type,
        alongside: @escaping @Sendable (Output, JSONValue, RunClaim, PostgresSession) async throws -> Void = { _, _, _, _ in }
    ) async throws -> (output: Output, raw: JSONValue) {
        let previous = steps[ReplayRecording.slot(iteration, role)]
        if let previous, previous.status == .succeeded, let raw = previous.output {
            // A replay taken over: this step was compared with the recording when it completed.
            if recording != nil { replayedSlots.append(ReplayRecording.slot(iteration, role)) }
            return (try await read(Output.self, from: raw, role: role, step: nil), raw)
        }
        let identity: StepRecord.Identity
        let reserved: Int
        let key: String
        if let previous, previous.status == .running {
            (identity, reserved, key) = (previous.identity, previous.reservedTokens, previous.stepKey)
        } else {
            let attempt = previous.map { $0.attempt + 1 } ?? 1
            try await checkTime(during: "\(role.rawValue) (iteration \(iteration))")
            if let budget = run.costBudgetUSD, costSpent >= budget {
                try await end(.awaitingBudget(.cost, detail: "\(role.rawValue) (iteration \(iteration)) would call an agent, but the run's agent calls cost \(Self.usd(costSpent)) USD of its cost budget of \(Self.usd(budget)) USD", step: nil))
            }
            let ceiling = loop.settings.stepTokenCeiling
            guard ledger.reserve(ceiling) else {
                try await end(.awaitingBudget(.tokens, detail: "\(role.rawValue) (iteration \(iteration)) may use up to \(ceiling) tokens, but only \(ledger.available) of the budget of \(run.tokenBudget) remain (\(ledger.spent) spent)", step: nil))
            }
            let id: UUID
            do {
                id = try await loop.journal.startStep(claim, iteration: iteration, role: role, attempt: attempt, status: status, reserved: ceiling, ledger: ledger)
            } catch let monthly as RunJournal.MonthlyBudgetReached {
                ledger.settle(reservation: ceiling, used: 0)
                try await end(.awaitingBudget(monthly.cap, detail: "\(role.rawValue) (iteration \(iteration)): \(monthly.detail)", step: nil))
            }
            (identity, reserved, key) = (StepRecord.Identity(id: id, iteration: iteration, role: role), ceiling, StepRecord.key(run: claim.runID, iteration: iteration, role: role, attempt: attempt))
        }
        let started = ContinuousClock.now
        let execution: AgentExecutionResult
        if let answer = try recorded(iteration, role) {
            execution = answer
        } else {
            execution = try await call(role, input, key: key, step: identity)
        }
        ledger.settle(reservation: reserved, used: execution.usage.totalTokens)
        costSpent += max(0, execution.usage.costEstimateUSD)
        let output = try await read(Output.self, from: execution.output, role: role, step: identity.id)
        let claim = self.claim
        let recording = try await record(execution.output, role: role)
        try await loop.journal.completeStep(claim, step: identity, execution: execution, recording: recording, ledger: ledger) { session in
            try await alongside(output, execution.output, claim, session)
        }
        if let recording = self.recording {
            replayedSlots.append(ReplayRecording.slot(iteration, role))
            if let divergence = recording.divergence(iteration, role, replayed: execution.output, replayRun: claim.runID) {
                try await end(.failed(.replayDiverged, detail: "\(role.rawValue) (iteration \(iteration)) differs from the recording of run \(recording.runID.lowercaseText): \(divergence)", step: nil))
            }
        }
        loop.metrics.step(role, took: .now - started)
        if role == .autoFixer { loop.metrics.autofixIterations.increment() }
        return (output, execution.output)
    }

    /// An amount of USD as the run's messages write it (up to six decimals, as the run records it).
    private static func usd(_ amount: Double) -> String {
        String(format: "%.6f", amount).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    /// Records a step's output content-addressed: its sha256 (of the output as JSON with sorted
    /// keys), with the bytes put in the artifact store. A store that cannot be written is logged,
    /// not fatal: the output is kept with the step as well, and finalizing reports the store.
    private func record(_ output: JSONValue, role: AgentRole) async throws -> String {
        let bytes = try ReplayRecording.canonical(output)
        do {
            return try await loop.artifacts.store.put(bytes).sha256
        } catch {
            loop.logger.warning("a step's recording could not be stored", metadata: ["run.id": "\(claim.runID.lowercaseText)", "agent.role": "\(role.rawValue)", "error": "\(error)"])
            return Digest.sha256Hex(bytes)
        }
    }

    /// For a replay, a model-backed step answered from the recording (no provider is called),
    /// its run id rewritten to this run's; nil for every other step, which is executed again.
    private func recorded(_ iteration: Int, _ role: AgentRole) throws -> AgentExecutionResult? {
        guard let recording, recording.answeredByModel(iteration, role), let output = recording.output(iteration, role) else { return nil }
        let text = String(decoding: try JSONEncoder().encode(output), as: UTF8.self)
            .replacingOccurrences(of: recording.runID.lowercaseText, with: claim.runID.lowercaseText)
        return AgentExecutionResult(
            executionID: ResourceID(), role: role, output: try JSONValue(parsing: Data(text.utf8)),
            usage: AgentUsage(promptTokens: 0, completionTokens: 0, costEstimateUSD: 0, durationMilliseconds: 0, cacheHit: false, provider: "replay", model: "recording"),
            replayed: true, createdAt: Date()
        )
    }

    /// Calls the agent, retrying while the agent-service is unavailable, still busy with the
    /// same key (a takeover) or missed a deadline of its own while the run has time left (it was
    /// frozen, or its database was); ends the run on its own deadline (cancelling the execution)
    /// or on an agent's failure.
    private func call(_ role: AgentRole, _ input: some Encodable & Sendable, key: String, step: StepRecord.Identity) async throws -> AgentExecutionResult {
        var backoff = Duration.milliseconds(250)
        while true {
            do {
                let scope = RequestScope(deadline: .after(.seconds(max(0, deadline.timeIntervalSinceNow))), principal: run.creator)
                return try await RequestScope.$current.withValue(scope) {
                    try await loop.agents.execute(role, input: input, idempotencyKey: key, provider: run.provider, as: JSONValue.self).execution
                }
            } catch let error as WireError {
                let what = "\(role.rawValue) (iteration \(step.iteration))"
                if deadline.timeIntervalSinceNow < Self.minimumStepTime {
                    await loop.cancelExecutions(claim.runID, creator: run.creator, keyPrefix: key)
                    try await end(.awaitingBudget(.time, detail: "the run's time budget of \(run.timeoutSeconds) s ran out during \(what)", step: step.id))
                }
                guard [.unavailable, .aborted, .resourceExhausted, .deadlineExceeded].contains(error.code) else {
                    try await end(.failed(.agentError, detail: "\(what) failed: \(error.code.rawValue): \(error.message)", step: step.id))
                }
                var delay = backoff
                if let retryAfter = error.retryAfter { delay = max(delay, .seconds(retryAfter)) }
                loop.logger.warning("agent call will be retried", metadata: [
                    "run.id": "\(claim.runID.lowercaseText)", "agent.role": "\(role.rawValue)", "error": "\(error.code.rawValue): \(error.message)",
                ])
                try await Task.sleep(for: min(delay, .seconds(max(0, deadline.timeIntervalSinceNow))))
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    // MARK: - Ending

    /// The least time a step is started with.
    static let minimumStepTime: TimeInterval = 1

    /// Pauses the run at its time cap once less than `minimumStepTime` is left.
    private func checkTime(during what: String) async throws {
        guard deadline.timeIntervalSinceNow < Self.minimumStepTime else { return }
        try await end(.awaitingBudget(.time, detail: "the run's time budget of \(run.timeoutSeconds) s ran out before \(what)", step: nil))
    }

    /// Records how the run ends (or that it waits for a person), counts it, cleans its sandbox
    /// once it ended, and unwinds the walk. A run waiting for approval or a larger budget keeps
    /// its preview resources: the reviewer's evidence and what a rollback removes, or the
    /// workspace the run continues in.
    private func end(_ ending: RunJournal.Ending) async throws -> Never {
        try await loop.journal.end(claim, ending, ledger: ledger, actingFor: run.creator)
        let metadata: Logger.Metadata = ["run.id": "\(claim.runID.lowercaseText)"]
        switch ending {
        case .failed(let reason, let detail, _):
            loop.metrics.failed(reason: reason.rawValue)
            loop.logger.info("run failed", metadata: metadata.merging(["run.failure_reason": "\(reason.rawValue)", "run.failure_detail": "\(detail)"]) { $1 })
            await settle(failed: true)
        case .succeeded:
            loop.metrics.succeeded.increment()
            await settle(failed: false)
        case .awaitingApproval:
            await loop.requestGate(claim.runID, iteration: reviewedIteration, creator: run.creator)
        case .awaitingBudget(let cap, let detail, _):
            loop.metrics.budgetPauses[cap]?.increment()
            loop.logger.info("run paused at its budget", metadata: metadata.merging(["run.budget_cap": "\(cap.rawValue)", "run.budget_detail": "\(detail)"]) { $1 })
        }
        throw Ended()
    }

    /// Counts an ended run's duration and removes its sandbox.
    private func settle(failed: Bool) async {
        if let startedAt { loop.metrics.run(took: .seconds(Date().timeIntervalSince(startedAt))) }
        await loop.cleanSandbox(claim.runID, creator: run.creator, failed: failed)
    }

    /// Reads a step's output as `T`; an output of another shape fails the run (the agent-service
    /// broke its contract).
    private func read<T: Decodable>(_ type: T.Type, from output: JSONValue, role: AgentRole, step: UUID?) async throws -> T {
        do {
            return try JSONDecoder().decode(type, from: JSONEncoder().encode(output))
        } catch {
            try await end(.failed(.agentError, detail: "\(role.rawValue) answered with an output the run-service cannot read", step: step))
        }
    }
}
