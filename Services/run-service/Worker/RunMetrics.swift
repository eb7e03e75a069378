import Foundation
import Metrics
import Shared
import Synchronization

/// The run-service's own Prometheus metrics: runs started and how they ended, fix iterations,
/// run and step durations, the queue's depth and lease takeovers, approval decisions applied,
/// pauses at a budget and their extensions.
final class RunMetrics: Sendable {
    let started: Counter
    let succeeded: Counter
    let autofixIterations: Counter
    let takeovers: Counter
    let queueDepth: Gauge
    /// Approval decisions applied to a waiting run, by the path that delivered them.
    let decisionsApplied: [RunApprovals.Source: Counter]
    /// Runs paused at a cap, by the cap.
    let budgetPauses: [BudgetCap: Counter]
    /// Paused runs whose cap was raised.
    let extensions: Counter
    private let registry: MetricsRegistry
    private let failedByReason: Mutex<[String: Counter]>
    private let stepTimers: Mutex<[String: Metrics.Timer]>
    private let runDuration: Metrics.Timer

    init(metrics: MetricsRegistry) {
        let factory = metrics.factory
        started = Counter(label: "meta_builder_runs_started_total", factory: factory)
        succeeded = Counter(label: "meta_builder_runs_succeeded_total", factory: factory)
        autofixIterations = Counter(label: "meta_builder_autofix_iterations_total", factory: factory)
        takeovers = Counter(label: "meta_builder_run_lease_takeovers_total", factory: factory)
        queueDepth = Gauge(label: "meta_builder_run_queue_depth", factory: factory)
        decisionsApplied = Dictionary(uniqueKeysWithValues: RunApprovals.Source.allCases.map {
            ($0, Counter(label: "meta_builder_run_approval_decisions_applied_total", dimensions: [("source", $0.rawValue)], factory: factory))
        })
        budgetPauses = Dictionary(uniqueKeysWithValues: BudgetCap.allCases.map {
            ($0, Counter(label: "meta_builder_run_budget_pauses_total", dimensions: [("cap", $0.rawValue)], factory: factory))
        })
        extensions = Counter(label: "meta_builder_run_extensions_total", factory: factory)
        runDuration = Metrics.Timer(label: MetricsRegistry.runDuration, factory: factory)
        registry = metrics
        failedByReason = Mutex([:])
        stepTimers = Mutex([:])
    }

    /// Counts a failed run under its reason.
    func failed(reason: String) {
        failedByReason.withLock { counters in
            let counter = counters[reason] ?? Counter(label: "meta_builder_runs_failed_total", dimensions: [("reason", reason)], factory: registry.factory)
            counters[reason] = counter
            return counter
        }.increment()
    }

    /// Records how long one agent step of `role` took.
    func step(_ role: AgentRole, took duration: Duration) {
        stepTimers.withLock { timers in
            let timer = timers[role.rawValue] ?? Metrics.Timer(label: MetricsRegistry.stepDuration, dimensions: [("role", role.rawValue)], factory: registry.factory)
            timers[role.rawValue] = timer
            return timer
        }.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Records a run's whole duration, from creation to its end.
    func run(took duration: Duration) {
        runDuration.recordNanoseconds(Self.nanoseconds(duration))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
