import Foundation
import Shared

/// How the run-service builds: the caps' defaults and maxima, the approval threshold, the token
/// ceiling reserved per agent call, and its workers.
struct RunSettings: Sendable, Equatable {
    /// A cap's default (used when a request leaves it out) and the most a request may ask for.
    struct Cap: Sendable, Equatable {
        var defaultValue: Int
        var maximum: Int
    }

    /// `META_BUILDER_MAX_ITERATIONS` (4) / `META_BUILDER_MAX_ITERATIONS_LIMIT` (10): evaluations per run.
    var iterations: Cap
    /// `META_BUILDER_TOKEN_BUDGET` (2,000,000) / `META_BUILDER_TOKEN_BUDGET_LIMIT` (20,000,000).
    var tokenBudget: Cap
    /// `META_BUILDER_TIMEOUT` (900 s) / `META_BUILDER_TIMEOUT_LIMIT` (7,200 s).
    var timeoutSeconds: Cap
    /// `META_BUILDER_APPROVAL_THRESHOLD` (70): a run whose risk score reaches it waits for approval.
    var approvalThreshold: Int
    /// `META_BUILDER_STEP_TOKEN_CEILING` (100,000): the worst case reserved for one agent call.
    var stepTokenCeiling: Int
    /// `META_BUILDER_RUN_WORKERS` (4): runs one instance builds at once.
    var workers: Int
    /// `META_BUILDER_RUN_POLL_MS` (500): how often an idle worker looks for a run.
    var pollInterval: Duration
    /// The providers a run may ask for.
    var providers: Set<String>
    /// `META_BUILDER_SSE_HEARTBEAT_SECONDS` (15): how long an event stream stays silent.
    var eventHeartbeat: Duration
    /// `META_BUILDER_SSE_MAX_STREAMS_PER_TENANT` (500): event streams one tenant may hold open on
    /// an instance; past it a stream is 429 with Retry-After.
    var eventStreamsPerTenant: Int
    /// `META_BUILDER_SSE_MAX_STREAMS` (5,000): event streams an instance holds open in all; past
    /// it a stream is 503 with Retry-After (another instance may have room).
    var eventStreams: Int
    /// `META_BUILDER_APPROVAL_RECONCILE_SECONDS` (10): how often runs waiting for approval are
    /// checked against the approval-service.
    var approvalReconcileInterval: Duration
    /// `META_BUILDER_BUDGET_PAUSE_SECONDS` (86,400): how long a run paused at a cap waits for an
    /// extension before it fails with the cap's reason.
    var budgetPause: Duration

    /// The design's numbers.
    init(
        iterations: Cap = Cap(defaultValue: 4, maximum: 10),
        tokenBudget: Cap = Cap(defaultValue: 2_000_000, maximum: 20_000_000),
        timeoutSeconds: Cap = Cap(defaultValue: 900, maximum: 7_200),
        approvalThreshold: Int = 70,
        stepTokenCeiling: Int = 100_000,
        workers: Int = 4,
        pollInterval: Duration = .milliseconds(500),
        providers: Set<String> = ["deterministic", "openai"],
        eventHeartbeat: Duration = .seconds(15),
        eventStreamsPerTenant: Int = 500,
        eventStreams: Int = 5_000,
        approvalReconcileInterval: Duration = .seconds(10),
        budgetPause: Duration = .seconds(86_400)
    ) {
        self.iterations = iterations
        self.tokenBudget = tokenBudget
        self.timeoutSeconds = timeoutSeconds
        self.approvalThreshold = approvalThreshold
        self.stepTokenCeiling = stepTokenCeiling
        self.workers = workers
        self.pollInterval = pollInterval
        self.providers = providers
        self.eventHeartbeat = eventHeartbeat
        self.eventStreamsPerTenant = eventStreamsPerTenant
        self.eventStreams = eventStreams
        self.approvalReconcileInterval = approvalReconcileInterval
        self.budgetPause = budgetPause
    }

    /// The configured default and maximum of one of a run's caps; nil for a monthly budget.
    func cap(_ cap: BudgetCap) -> Cap? {
        switch cap {
        case .iterations: iterations
        case .tokens: tokenBudget
        case .time: timeoutSeconds
        case .cost, .monthlyTokens, .monthlyCost: nil
        }
    }

    /// Reads the settings from the environment; a default above its maximum is a configuration error.
    init(reader: ConfigReader) throws {
        func cap(_ key: String, _ defaults: Cap) throws -> Cap {
            let maximum = try reader.int("\(key)_LIMIT", default: defaults.maximum, range: 1...1_000_000_000)
            let value = try reader.int(key, default: min(defaults.defaultValue, maximum), range: 1...maximum)
            return Cap(defaultValue: value, maximum: maximum)
        }
        let defaults = RunSettings()
        self.init(
            iterations: try cap("META_BUILDER_MAX_ITERATIONS", defaults.iterations),
            tokenBudget: try cap("META_BUILDER_TOKEN_BUDGET", defaults.tokenBudget),
            timeoutSeconds: try cap("META_BUILDER_TIMEOUT", defaults.timeoutSeconds),
            approvalThreshold: try reader.int("META_BUILDER_APPROVAL_THRESHOLD", default: defaults.approvalThreshold, range: 0...101),
            stepTokenCeiling: try reader.int("META_BUILDER_STEP_TOKEN_CEILING", default: defaults.stepTokenCeiling, range: 1...10_000_000),
            workers: try reader.int("META_BUILDER_RUN_WORKERS", default: defaults.workers, range: 0...256),
            pollInterval: .milliseconds(try reader.int("META_BUILDER_RUN_POLL_MS", default: 500, range: 10...60_000)),
            providers: defaults.providers,
            eventHeartbeat: .seconds(try reader.int("META_BUILDER_SSE_HEARTBEAT_SECONDS", default: 15, range: 1...300)),
            eventStreamsPerTenant: try reader.int("META_BUILDER_SSE_MAX_STREAMS_PER_TENANT", default: defaults.eventStreamsPerTenant, range: 1...1_000_000),
            eventStreams: try reader.int("META_BUILDER_SSE_MAX_STREAMS", default: defaults.eventStreams, range: 1...1_000_000),
            approvalReconcileInterval: .seconds(try reader.int("META_BUILDER_APPROVAL_RECONCILE_SECONDS", default: 10, range: 1...3600)),
            budgetPause: .seconds(try reader.int("META_BUILDER_BUDGET_PAUSE_SECONDS", default: 86_400, range: 1...2_592_000))
        )
    }
}
