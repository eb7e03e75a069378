import Hummingbird
import Shared

/// Starts the spec-service: configuration, logging and metrics, then the application until SIGTERM.
@main
struct SpecServiceApp {
    static func main() async throws {
        let (config, logger, metrics) = ServiceMain.bootstrap(serviceName: "spec-service", defaultPort: 8081)
        let app = try buildApplication(config: config, logger: logger, metrics: metrics)
        try await app.runService()
    }
}
