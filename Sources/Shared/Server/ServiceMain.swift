import CMalloc
import Foundation
import Hummingbird
import Logging
import Metrics

/// The process-level start-up every service's `main` shares: ignore SIGPIPE, bound malloc's
/// arenas, initialize libcurl, read configuration (a bad value exits with a clear message), and bootstrap JSON
/// logging and Prometheus metrics. Only `main` calls this; tests never bootstrap.
public enum ServiceMain {
    /// Prepares the process and returns the configuration, logger and metrics registry.
    public static func bootstrap(serviceName: String, defaultPort: Int) -> (ServiceConfig, Logger, MetricsRegistry) {
        signal(SIGPIPE, SIG_IGN)
        // glibc gives every allocating thread an arena of its own (up to 8 per core) and memory
        // freed in one is not reused by another: under load the resident size grew with the
        // threads and stayed. Two arenas keep it bounded (before any thread starts).
        _ = mb_malloc_limit_arenas(2)
        CurlGlobal.initialize()
        let config: ServiceConfig
        do {
            config = try ServiceConfig(serviceName: serviceName, defaultPort: defaultPort)
        } catch {
            FileHandle.standardError.write(Data("\(serviceName): \(error)\n".utf8))
            exit(2)
        }
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: config.logLevel) }
        let metrics = MetricsRegistry()
        MetricsSystem.bootstrap(metrics.factory)
        return (config, Logger(label: serviceName), metrics)
    }

    /// Builds the application; a failure ends the process with a one-line message and exit status 1.
    public static func build<App>(serviceName: String, _ build: () throws -> App) -> App {
        do {
            return try build()
        } catch {
            stop(serviceName, error)
        }
    }

    /// Runs the service until it stops. A failure to start (a port in use, say) ends the process
    /// with a one-line message and exit status 1, not a crash report.
    public static func run(_ app: some ApplicationProtocol, serviceName: String) async {
        do {
            try await app.runService()
        } catch {
            stop(serviceName, error)
        }
    }

    private static func stop(_ serviceName: String, _ error: any Error) -> Never {
        FileHandle.standardError.write(Data("\(serviceName): \(error)\n".utf8))
        exit(1)
    }
}
