import Foundation

/// What makes one service of the mesh itself: its name, default port, migrations and contract.
public struct ServiceDescriptor: Sendable {
    /// The service name, e.g. `spec-service`.
    public let name: String
    /// The port it listens on unless configured otherwise.
    public let defaultPort: Int
    /// Its own migrations (numbered from 100; 1–99 are the platform's, applied to every schema).
    public let migrations: [Migration]
    /// Its OpenAPI 3.1 document (JSON).
    public let openAPIDocument: Data

    /// Creates a descriptor.
    public init(name: String, defaultPort: Int, migrations: [Migration], openAPIDocument: Data) {
        self.name = name
        self.defaultPort = defaultPort
        self.migrations = migrations
        self.openAPIDocument = openAPIDocument
    }

    /// Loads the migrations (`Migrations/*.sql`) and contract (`openapi.json`) from a bundle.
    public init(name: String, defaultPort: Int, bundle: Bundle) throws {
        guard let url = bundle.url(forResource: "openapi", withExtension: "json") else {
            throw ConfigError(key: "openapi.json", reason: "is missing from the \(name) bundle")
        }
        self.init(name: name, defaultPort: defaultPort, migrations: try Migration.load(from: bundle, subdirectory: "Migrations"), openAPIDocument: try Data(contentsOf: url))
    }

    /// The platform migrations (outbox, processed events, audit log) followed by the service's own.
    public var allMigrations: [Migration] {
        get throws { try Migration.load(from: Bundle.module, subdirectory: "Migrations") + migrations }
    }
}
