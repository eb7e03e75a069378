import Hummingbird
import Shared

/// Starts the run-service: configuration, logging and metrics, then the application until SIGTERM.
@main
struct RunServiceApp {
    static func main() async throws {
        let (config, logger, metrics) = ServiceMain.bootstrap(serviceName: "run-service", defaultPort: 8082)
        let app = try buildApplication(config: config, logger: logger, metrics: metrics)
        try await app.runService()
    }
}
