/// The System Designer's output (extended by Security/Compliance): everything Codegen needs to
/// produce the scaffold.
public struct ScaffoldPlan: Codable, Sendable, Equatable {
    /// The formal spec the plan was made from.
    public var spec: FormalSpec
    /// The target stack.
    public var stack: Stack
    /// Files to generate, with their purpose.
    public var files: [PlannedFile]
    /// SQL migrations, up and down, in order.
    public var migrations: [PlannedMigration]
    /// HTTP endpoints per entity.
    public var endpoints: [PlannedEndpoint]
    /// Seed rows per entity.
    public var seed: [SeedRecord]
    /// Environment variables the app reads.
    public var environment: [EnvironmentVariable]
    /// CI pipeline steps.
    public var ciSteps: [String]
    /// Added by Security/Compliance.
    public var security: SecurityReview?

    /// Creates a plan.
    public init(spec: FormalSpec, stack: Stack, files: [PlannedFile], migrations: [PlannedMigration], endpoints: [PlannedEndpoint], seed: [SeedRecord], environment: [EnvironmentVariable], ciSteps: [String], security: SecurityReview? = nil) {
        self.spec = spec
        self.stack = stack
        self.files = files
        self.migrations = migrations
        self.endpoints = endpoints
        self.seed = seed
        self.environment = environment
        self.ciSteps = ciSteps
        self.security = security
    }

    enum CodingKeys: String, CodingKey {
        case spec, stack, files, migrations, endpoints, seed, environment, security
        case ciSteps = "ci_steps"
    }

    /// The target stack.
    public struct Stack: Codable, Sendable, Equatable {
        /// e.g. `python`.
        public var language: String
        /// e.g. `flask`.
        public var framework: String
        /// e.g. `postgresql`.
        public var database: String
        /// e.g. `pytest`.
        public var testRunner: String

        /// The default: Python Flask + PostgreSQL + pytest.
        public static let flaskPostgres = Stack(language: "python", framework: "flask", database: "postgresql", testRunner: "pytest")

        /// Creates a stack.
        public init(language: String, framework: String, database: String, testRunner: String) {
            self.language = language
            self.framework = framework
            self.database = database
            self.testRunner = testRunner
        }

        enum CodingKeys: String, CodingKey {
            case language, framework, database
            case testRunner = "test_runner"
        }
    }
}

/// A file of the scaffold.
public struct PlannedFile: Codable, Sendable, Equatable {
    /// Path relative to the repository root.
    public var path: String
    /// Why it exists.
    public var purpose: String

    /// Creates an entry.
    public init(path: String, purpose: String) {
        self.path = path
        self.purpose = purpose
    }
}

/// A numbered SQL migration with its rollback.
public struct PlannedMigration: Codable, Sendable, Equatable {
    /// Order.
    public var version: Int
    /// Short name, e.g. `create_contacts`.
    public var name: String
    /// Forward SQL.
    public var up: String
    /// Rollback SQL.
    public var down: String

    /// Creates a migration.
    public init(version: Int, name: String, up: String, down: String) {
        self.version = version
        self.name = name
        self.up = up
        self.down = down
    }
}

/// One HTTP endpoint of the scaffold.
public struct PlannedEndpoint: Codable, Sendable, Equatable {
    /// HTTP method.
    public var method: String
    /// Path template, e.g. `/api/contacts/{id}`.
    public var path: String
    /// The entity it serves.
    public var entity: String
    /// The CRUD action (list is `read`).
    public var action: CRUDAction
    /// Roles allowed.
    public var roles: [String]

    /// Creates an endpoint.
    public init(method: String, path: String, entity: String, action: CRUDAction, roles: [String]) {
        self.method = method
        self.path = path
        self.entity = entity
        self.action = action
        self.roles = roles
    }
}

/// One seed row.
public struct SeedRecord: Codable, Sendable, Equatable {
    /// The entity.
    public var entity: String
    /// Column values.
    public var values: [String: JSONValue]

    /// Creates a seed row.
    public init(entity: String, values: [String: JSONValue]) {
        self.entity = entity
        self.values = values
    }
}

/// An environment variable of the scaffold.
public struct EnvironmentVariable: Codable, Sendable, Equatable {
    /// Name.
    public var name: String
    /// Meaning.
    public var description: String
    /// Whether it is a secret (never committed; `.env.example` gets a placeholder).
    public var secret: Bool
    /// Example value.
    public var example: String

    /// Creates a variable.
    public init(name: String, description: String, secret: Bool, example: String) {
        self.name = name
        self.description = description
        self.secret = secret
        self.example = example
    }
}
