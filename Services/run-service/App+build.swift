import Foundation
import Hummingbird
import Logging
import Shared

/// Describes the run-service: name, port, migrations and contract from its resource bundle.
func serviceDescriptor() throws -> ServiceDescriptor {
    try ServiceDescriptor(name: "run-service", defaultPort: 8082, bundle: Bundle.module)
}

/// Builds the run-service application: clients, the build loop and its workers, its routes.
func buildApplication(config: ServiceConfig, logger: Logger, metrics: MetricsRegistry = MetricsRegistry(), settings: RunSettings? = nil) throws -> some ApplicationProtocol {
    let runtime = ServiceRuntime(config: config, logger: logger, metrics: metrics)
    let settings = try settings ?? RunSettings(reader: ConfigReader())
    let runMetrics = RunMetrics(metrics: metrics)
    let artifactSettings = ArtifactSettings(reader: ConfigReader())
    let journal = RunJournal(pool: runtime.pool, budgetPause: settings.budgetPause)
    let store = ArtifactStore(root: artifactSettings.root)
    let loop = BuildLoop(
        journal: journal,
        agents: AgentClient(http: runtime.http, baseURL: config.peers.agent),
        catalogue: AgentCatalogue(http: runtime.http, baseURL: config.peers.agent),
        gates: ApprovalClient(http: runtime.http, baseURL: config.peers.approval),
        artifacts: ArtifactBuilder(journal: journal, store: store, repositories: BaseRepositories(root: artifactSettings.repositoriesRoot), logger: logger),
        settings: settings,
        metrics: runMetrics,
        logger: logger
    )
    let active = ActiveBuilds()
    let worker = RunWorker(
        pool: runtime.pool, instance: "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(RandomHex.bytes(8))",
        loop: loop, settings: settings, active: active, gate: runtime.migrated, metrics: runMetrics, logger: logger
    )
    let repository = RunRepository(pool: runtime.pool)
    let hub = RunEventHub(metrics: metrics, perTenant: settings.eventStreamsPerTenant, total: settings.eventStreams)
    let relayWakeups = RedisSubscriber(channels: RunEventHub.channels, config: config.redis, logger: logger) { hub.handle($0) }
    let controller = RunController(
        repository: repository,
        specs: SpecClient(http: runtime.http, baseURL: config.peers.spec),
        loop: loop, active: active, settings: settings, rateLimiter: runtime.rateLimiter,
        events: RunEventStream(repository: repository, hub: hub, heartbeat: settings.eventHeartbeat)
    )
    let approvals = RunApprovals(pool: runtime.pool, loop: loop, metrics: runMetrics, logger: logger)
    let decisions = RedisSubscriber(channels: [CloudEvent.channel(for: "approval.decided")], config: config.redis, logger: logger) { message in
        guard let event = try? CloudEvent.decode(message.payload), let decision = ApprovalDecision(event: event) else { return }
        Task {
            do {
                try await approvals.apply(decision, from: .event)
            } catch {
                logger.warning("could not apply an approval decision; the reconciler will", metadata: ["run.id": "\(decision.runID.lowercaseText)", "error": "\(error)"])
            }
        }
    }
    let reconciler = ApprovalReconciler(
        pool: runtime.pool, approvals: approvals, client: ApprovalClient(http: runtime.http, baseURL: config.peers.approval),
        gate: runtime.migrated, interval: settings.approvalReconcileInterval, logger: logger
    )
    let sweeper = BudgetPauseSweeper(
        repository: repository, loop: loop, gate: runtime.migrated, interval: BudgetPauseSweeper.interval(for: settings.budgetPause), logger: logger
    )
    return try ServiceApplication.build(
        descriptor: try serviceDescriptor(), runtime: runtime, services: [worker, hub, relayWakeups, decisions, reconciler, sweeper]
    ) { routes in
        controller.register(routes)
        ArtifactController(repository: ArtifactRepository(pool: runtime.pool), store: store).register(routes)
        BudgetController(pool: runtime.pool).register(routes)
        AnalyticsController(pool: runtime.pool, agents: AgentCatalogue(http: runtime.http, baseURL: config.peers.agent), metrics: metrics).register(routes)
    }
}
