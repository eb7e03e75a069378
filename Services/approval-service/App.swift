import Hummingbird
import Shared

/// Starts the approval-service: configuration, logging and metrics, then the application until SIGTERM.
@main
struct ApprovalServiceApp {
    static func main() async {
        let (config, logger, metrics) = ServiceMain.bootstrap(serviceName: "approval-service", defaultPort: 8084)
        let app = ServiceMain.build(serviceName: "approval-service") { try buildApplication(config: config, logger: logger, metrics: metrics) }
        await ServiceMain.run(app, serviceName: "approval-service")
    }
}
