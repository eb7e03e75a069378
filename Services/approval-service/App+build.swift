import Foundation
import Hummingbird
import Logging
import Metrics
import Shared

/// Describes the approval-service: name, port, migrations and contract from its resource bundle.
func serviceDescriptor() throws -> ServiceDescriptor {
    try ServiceDescriptor(name: "approval-service", defaultPort: 8084, bundle: Bundle.module)
}

/// Builds the approval-service application: clients, the gate opener (internal request and
/// `run.awaiting_approval` events), the expiry sweeper, its routes.
func buildApplication(config: ServiceConfig, logger: Logger, metrics: MetricsRegistry = MetricsRegistry(), settings: ApprovalSettings? = nil) throws -> some ApplicationProtocol {
    let runtime = ServiceRuntime(config: config, logger: logger, metrics: metrics)
    let settings = try settings ?? ApprovalSettings(reader: ConfigReader())
    let repository = GateRepository(pool: runtime.pool)
    let reader = PeerReader(http: runtime.http)
    let runs = RunServiceClient(reader: reader, baseURL: config.peers.run)
    let templates = try ReviewTemplates.bundled()
    let opener = GateOpener(
        runs: runs,
        specs: SpecServiceClient(reader: reader, baseURL: config.peers.spec),
        repository: repository,
        defaults: settings.defaultPolicy,
        consumer: EventConsumer(pool: runtime.pool, name: GateOpener.consumerName)
    )
    let listener = GateRequestListener(opener: opener, migrated: runtime.migrated, logger: logger)
    let requests = RedisSubscriber(channels: [GateRequestListener.channel], config: config.redis, logger: logger) { await listener.handle($0) }
    let sweeper = GateExpirySweeper(
        repository: repository, migrated: runtime.migrated, interval: settings.sweepInterval,
        expired: Counter(label: "meta_builder_approval_gates_expired_total", factory: metrics.factory), logger: logger
    )
    return try ServiceApplication.build(descriptor: try serviceDescriptor(), runtime: runtime, services: [requests, sweeper]) { routes in
        let desk = DecisionDesk(repository: repository, rateLimiter: runtime.rateLimiter, metrics: metrics)
        ApprovalController(repository: repository, desk: desk).register(routes)
        ReviewController(
            repository: repository, desk: desk, runs: runs, session: ReviewSession(secret: config.auth.jwtSecret),
            templates: templates, authenticator: runtime.authenticator
        ).register(on: routes.router)
        GateController(opener: opener, repository: repository).register(routes)
        PolicyController(policies: PolicyRepository(pool: runtime.pool, defaults: settings.defaultPolicy)).register(routes)
        AuditTrailController(trail: AuditTrail(pool: runtime.pool, service: "approval-service", peers: config.peers, reader: reader)).register(routes)
    }
}
