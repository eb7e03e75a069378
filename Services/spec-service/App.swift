import Hummingbird
import Shared

/// Starts the spec-service: configuration, logging and metrics, then the application until SIGTERM.
@main
struct SpecServiceApp {
    static func main() async {
        let (config, logger, metrics) = ServiceMain.bootstrap(serviceName: "spec-service", defaultPort: 8081)
        let app = ServiceMain.build(serviceName: "spec-service") { try buildApplication(config: config, logger: logger, metrics: metrics) }
        await ServiceMain.run(app, serviceName: "spec-service")
    }
}
