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
    let loop = BuildLoop(
        journal: RunJournal(pool: runtime.pool),
        agents: AgentClient(http: runtime.http, baseURL: config.peers.agent),
        catalogue: AgentCatalogue(http: runtime.http, baseURL: config.peers.agent),
        settings: settings,
        metrics: runMetrics,
        logger: logger
    )
    let active = ActiveBuilds()
    let worker = RunWorker(
        pool: runtime.pool, instance: "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(RandomHex.bytes(8))",
        loop: loop, settings: settings, active: active, gate: runtime.migrated, metrics: runMetrics, logger: logger
    )
    let controller = RunController(
        repository: RunRepository(pool: runtime.pool),
        specs: SpecClient(http: runtime.http, baseURL: config.peers.spec),
        loop: loop, active: active, settings: settings, rateLimiter: runtime.rateLimiter
    )
    return try ServiceApplication.build(descriptor: try serviceDescriptor(), runtime: runtime, services: [worker]) { routes in
        controller.register(routes)
        AnalyticsController(pool: runtime.pool, agents: AgentCatalogue(http: runtime.http, baseURL: config.peers.agent), metrics: metrics).register(routes)
    }
}
