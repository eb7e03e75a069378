import Hummingbird
import Shared

/// Starts the run-service: configuration, logging and metrics, then the application until SIGTERM.
@main
struct RunServiceApp {
    static func main() async {
        let (config, logger, metrics) = ServiceMain.bootstrap(serviceName: "run-service", defaultPort: 8082)
        let app = ServiceMain.build(serviceName: "run-service") { try buildApplication(config: config, logger: logger, metrics: metrics) }
        await ServiceMain.run(app, serviceName: "run-service")
    }
}
