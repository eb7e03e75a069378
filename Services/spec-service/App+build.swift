import Foundation
import Hummingbird
import Logging
import Metrics
import Shared

/// Describes the spec-service: name, port, migrations and contract from its resource bundle.
func serviceDescriptor() throws -> ServiceDescriptor {
    try ServiceDescriptor(name: "spec-service", defaultPort: 8081, bundle: Bundle.module)
}

/// Builds the spec-service application: clients, the planning pipeline, its routes.
func buildApplication(config: ServiceConfig, logger: Logger, metrics: MetricsRegistry = MetricsRegistry()) throws -> some ApplicationProtocol {
    let runtime = ServiceRuntime(config: config, logger: logger, metrics: metrics)
    let controller = SpecController(
        repository: SpecRepository(pool: runtime.pool),
        pipeline: PlanningPipeline(agents: AgentClient(http: runtime.http, baseURL: config.peers.agent)),
        rateLimiter: runtime.rateLimiter,
        specsCreated: Counter(label: "meta_builder_specs_created_total", factory: metrics.factory),
        plansGenerated: Counter(label: "meta_builder_plans_generated_total", factory: metrics.factory)
    )
    return try ServiceApplication.build(descriptor: try serviceDescriptor(), runtime: runtime) { routes in
        controller.register(routes)
    }
}
