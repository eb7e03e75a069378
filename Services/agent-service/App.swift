import Hummingbird
import Shared

/// Starts the agent-service: configuration, logging and metrics, then the application until SIGTERM.
@main
struct AgentServiceApp {
    static func main() async {
        let (config, logger, metrics) = ServiceMain.bootstrap(serviceName: "agent-service", defaultPort: 8083)
        let app = ServiceMain.build(serviceName: "agent-service") { try buildApplication(config: config, logger: logger, metrics: metrics) }
        await ServiceMain.run(app, serviceName: "agent-service")
    }
}
