import Foundation
import Hummingbird
import Logging
import Shared

/// Describes the run-service: name, port, migrations and contract from its resource bundle.
func serviceDescriptor() throws -> ServiceDescriptor {
    try ServiceDescriptor(name: "run-service", defaultPort: 8082, bundle: Bundle.module)
}

/// Builds the run-service application: clients, common endpoints, its routes and services.
func buildApplication(config: ServiceConfig, logger: Logger, metrics: MetricsRegistry = MetricsRegistry()) throws -> some ApplicationProtocol {
    let runtime = ServiceRuntime(config: config, logger: logger, metrics: metrics)
    return try ServiceApplication.build(descriptor: try serviceDescriptor(), runtime: runtime)
}
