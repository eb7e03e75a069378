import Hummingbird
import Shared

/// Starts the agent-service: configuration, logging and metrics, then the application until SIGTERM.
@main
struct AgentServiceApp {
    static func main() async throws {
        let (config, logger, metrics) = ServiceMain.bootstrap(serviceName: "agent-service", defaultPort: 8083)
        let app = try buildApplication(config: config, logger: logger, metrics: metrics)
        try await app.runService()
    }
}
