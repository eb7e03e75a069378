import Crypto
import Foundation
import Shared

/// What the System Designer receives.
struct DesignerInput: Codable, Sendable {
    /// The formal spec.
    var spec: FormalSpec
}

/// Formal spec → ScaffoldPlan for the default stack (Python Flask + PostgreSQL + pytest):
/// files with their purpose, a migration per entity (up and down, with RLS and audit), CRUD
/// endpoints per entity with the roles allowed, deterministic seed rows, environment and CI.
struct SystemDesigner {
    private let sql = SQLSchemaWriter()

    /// Designs the plan; the same spec always gives the same plan.
    func design(_ input: DesignerInput) throws -> ScaffoldPlan {
        let spec = input.spec
        guard !spec.entities.isEmpty else {
            throw WireError.invalidArgument(field: "spec.entities", "a spec needs at least one entity")
        }
        try spec.validateOwnership(at: "spec")
        return ScaffoldPlan(
            spec: spec,
            stack: .flaskPostgres,
            files: files(for: spec),
            migrations: migrations(for: spec),
            endpoints: endpoints(for: spec),
            seed: seed(for: spec),
            environment: environment,
            ciSteps: ["pip install -r requirements-dev.txt", "ruff check .", "python -m app.migrate up", "python -m app.seed", "pytest -q"]
        )
    }

    private func migrations(for spec: FormalSpec) -> [PlannedMigration] {
        var migrations = [sql.baseMigration(), sql.authUsersMigration(version: 2)]
        for entity in spec.entities {
            migrations.append(sql.tableMigration(for: entity, in: spec, version: migrations.count + 1))
        }
        for relation in spec.relations where relation.kind == .manyToMany {
            migrations.append(sql.joinMigration(for: relation, in: spec, version: migrations.count + 1))
        }
        return migrations
    }

    private func files(for spec: FormalSpec) -> [PlannedFile] {
        var files = [
            PlannedFile(path: "app/__init__.py", purpose: "Application factory: config, logging, blueprints, error handlers"),
            PlannedFile(path: "app/config.py", purpose: "Settings read from the environment"),
            PlannedFile(path: "app/db.py", purpose: "Connection pool and per-request tenant transaction (set_config app.tenant_id)"),
            PlannedFile(path: "app/auth.py", purpose: "JWT verification and the current user (id, tenant, role)"),
            PlannedFile(path: "app/oidc.py", purpose: "OpenID Connect tokens: the provider's JWKS, cached and refreshed on key rotation"),
            PlannedFile(path: "app/issuer.py", purpose: "Built-in issuer for development: POST /auth/token"),
            PlannedFile(path: "app/users.py", purpose: "Accounts of the built-in issuer (auth_users)"),
            PlannedFile(path: "app/passwords.py", purpose: "Password hashing (scrypt)"),
            PlannedFile(path: "app/rbac.py", purpose: "Role permissions per entity and ownership scope"),
            PlannedFile(path: "app/crypto.py", purpose: "Encryption of PII columns at rest"),
            PlannedFile(path: "app/ratelimit.py", purpose: "Per-tenant rate limits"),
            PlannedFile(path: "app/logging.py", purpose: "JSON logs with PII redaction"),
            PlannedFile(path: "app/validation.py", purpose: "Request validation per field type"),
            PlannedFile(path: "app/migrate.py", purpose: "Applies migrations up and down"),
            PlannedFile(path: "app/seed.py", purpose: "Loads the seed data"),
            PlannedFile(path: "app/__main__.py", purpose: "python -m app: development server"),
            PlannedFile(path: "app/crud.py", purpose: "Resource factory: validated CRUD and list per entity"),
            PlannedFile(path: "app/errors.py", purpose: "JSON errors and their handlers"),
            PlannedFile(path: "app/schema.py", purpose: "Loads app/schema.json"),
            PlannedFile(path: "app/schema.json", purpose: "The formal spec the runtime reads"),
            PlannedFile(path: "app/resources/__init__.py", purpose: "The list of resource blueprints"),
            PlannedFile(path: "app/listing.py", purpose: "List parameters: filters, sorting, totals and keyset pages"),
            PlannedFile(path: "app/relations.py", purpose: "Routes along relations: nested lists, many-to-many links"),
            PlannedFile(path: "app/migrations.py", purpose: "The migration files the app ships, and which a database lacks"),
            PlannedFile(path: "app/docs.py", purpose: "GET /openapi.json and GET /docs: the served contract"),
            PlannedFile(path: "app/static/docs.html", purpose: "The API documentation page"),
            PlannedFile(path: "app/static/docs.css", purpose: "Styles of the documentation page"),
            PlannedFile(path: "app/static/docs.js", purpose: "Script of the documentation page"),
        ]
        for entity in spec.entities {
            files.append(PlannedFile(path: "app/resources/\(entity.plural).py", purpose: "CRUD and list endpoints of \(entity.name)"))
        }
        for migration in migrations(for: spec) {
            let stem = String(format: "%04d_%@", migration.version, migration.name)
            files.append(PlannedFile(path: "migrations/\(stem).up.sql", purpose: "Migration \(migration.version) forward"))
            files.append(PlannedFile(path: "migrations/\(stem).down.sql", purpose: "Migration \(migration.version) rollback"))
        }
        files += [
            PlannedFile(path: "seed/seed.json", purpose: "Seed rows"),
            PlannedFile(path: "seed/users.json", purpose: "Seed accounts of the built-in issuer, one per role"),
            PlannedFile(path: "tests/conftest.py", purpose: "Test database, app client, tokens per role and tenant"),
            PlannedFile(path: "tests/support.py", purpose: "Helpers shared by the tests"),
            PlannedFile(path: "tests/test_api.py", purpose: "Authentication, errors and health"),
            PlannedFile(path: "pytest.ini", purpose: "pytest settings"),
            PlannedFile(path: "ruff.toml", purpose: "Lint settings"),
        ]
        for entity in spec.entities {
            files.append(PlannedFile(path: "tests/test_\(entity.plural).py", purpose: "CRUD, pagination and validation of \(entity.name)"))
        }
        files += [
            PlannedFile(path: "tests/test_rbac.py", purpose: "Every role against every endpoint"),
            PlannedFile(path: "tests/test_isolation.py", purpose: "Cross-tenant isolation"),
            PlannedFile(path: "tests/test_pii.py", purpose: "PII encrypted in the database and redacted in logs"),
            PlannedFile(path: "tests/test_auth.py", purpose: "Sign-in at the built-in issuer, its production switch, seed accounts"),
            PlannedFile(path: "tests/test_oidc.py", purpose: "OpenID Connect tokens against keys the tests generate"),
            PlannedFile(path: "tests/test_packaging.py", purpose: "Requirements, Dockerfile, compose file and Makefile"),
            PlannedFile(path: "tests/test_listing.py", purpose: "List filters, sorting, pages and totals"),
            PlannedFile(path: "tests/test_relations.py", purpose: "Nested lists and many-to-many links within the tenant and permissions"),
            PlannedFile(path: "tests/test_openapi.py", purpose: "The served contract matches the routes"),
            PlannedFile(path: "tests/test_privileges.py", purpose: "Least privilege of the app's database role; an append-only audit log"),
            PlannedFile(path: "openapi.yaml", purpose: "API contract"),
            PlannedFile(path: "README.md", purpose: "How to run, test and deploy"),
            PlannedFile(path: ".env.example", purpose: "Environment template without secrets"),
            PlannedFile(path: "requirements.txt", purpose: "Runtime dependencies (pinned)"),
            PlannedFile(path: "requirements-dev.txt", purpose: "Development and test dependencies (pinned)"),
            PlannedFile(path: "Dockerfile", purpose: "Production image without test tooling"),
            PlannedFile(path: "gunicorn.conf.py", purpose: "gunicorn settings: one worker with threads, JSON logs, no access log"),
            PlannedFile(path: "docker-compose.yml", purpose: "Local stack: PostgreSQL, migrations and seed, the app"),
            PlannedFile(path: "docker/initdb.sql", purpose: "The app's database role in the compose Postgres"),
            PlannedFile(path: "Makefile", purpose: "make install, dev, test, migrate, seed"),
            PlannedFile(path: ".gitignore", purpose: "Files git ignores"),
            PlannedFile(path: ".dockerignore", purpose: "Files left out of the image"),
            PlannedFile(path: ".github/workflows/ci.yml", purpose: "CI: install, migrate, seed, test"),
        ]
        return files
    }

    private func endpoints(for spec: FormalSpec) -> [PlannedEndpoint] {
        spec.entities.flatMap { entity -> [PlannedEndpoint] in
            let base = "/api/\(entity.plural)"
            let roles = { (action: CRUDAction) in
                spec.roles.filter { role in role.permissions.contains { $0.entity == entity.name && $0.actions.contains(action) } }.map(\.name)
            }
            return [
                PlannedEndpoint(method: "GET", path: base, entity: entity.name, action: .read, roles: roles(.read)),
                PlannedEndpoint(method: "POST", path: base, entity: entity.name, action: .create, roles: roles(.create)),
                PlannedEndpoint(method: "GET", path: base + "/{id}", entity: entity.name, action: .read, roles: roles(.read)),
                PlannedEndpoint(method: "PATCH", path: base + "/{id}", entity: entity.name, action: .update, roles: roles(.update)),
                PlannedEndpoint(method: "DELETE", path: base + "/{id}", entity: entity.name, action: .delete, roles: roles(.delete)),
            ]
        }
    }

    private var environment: [EnvironmentVariable] {
        [
            EnvironmentVariable(name: "DATABASE_URL", description: "PostgreSQL URL of the app's own role (owns nothing; see the README, Database roles)", secret: true, example: "postgresql://app:app@localhost:5432/app (the docker-compose.yml database)"),
            EnvironmentVariable(name: "MIGRATION_DATABASE_URL", description: "PostgreSQL URL of the role that owns the tables and runs the migrations; the DATABASE_URL role then gets only row access (unset: DATABASE_URL)", secret: true, example: "postgresql://app_owner:app_owner@localhost:5432/app (the docker-compose.yml database)"),
            EnvironmentVariable(name: "DATABASE_SCHEMA", description: "Schema the app's tables live in", secret: false, example: "public"),
            EnvironmentVariable(name: "APP_ENV", description: "development (built-in issuer on, .env loaded) or production (OpenID Connect tokens only)", secret: false, example: "development"),
            EnvironmentVariable(name: "JWT_SECRET", description: "HS256 key of the built-in issuer's tokens (32+ bytes; development only)", secret: true, example: "generate with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"),
            EnvironmentVariable(name: "OIDC_ISSUER", description: "OpenID Connect issuer (the tokens' iss), e.g. https://login.example.com/; empty: no OIDC", secret: false, example: ""),
            EnvironmentVariable(name: "OIDC_AUDIENCE", description: "The tokens' aud: this API's identifier at the provider", secret: false, example: ""),
            EnvironmentVariable(name: "OIDC_JWKS_URL", description: "The provider's JSON Web Key Set URL (https in production)", secret: false, example: ""),
            EnvironmentVariable(name: "OIDC_TENANT_CLAIM", description: "Claim holding the tenant UUID", secret: false, example: "tid"),
            EnvironmentVariable(name: "OIDC_ROLE_CLAIM", description: "Claim holding the role (a string or a list)", secret: false, example: "role"),
            EnvironmentVariable(name: "SEED_USER_PASSWORD", description: "Password of the seed accounts (python -m app.seed; development only)", secret: false, example: "dev-password"),
            EnvironmentVariable(name: "PASSWORD_HASH_COST", description: "log2 of scrypt's n for new password hashes of the built-in issuer (10 to 17; the tests use 10)", secret: false, example: "15"),
            EnvironmentVariable(name: "PII_ENCRYPTION_KEY", description: "Fernet key encrypting PII columns", secret: true, example: "generate with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"),
            EnvironmentVariable(name: "RATE_LIMIT_PER_MINUTE", description: "Requests per tenant per minute", secret: false, example: "600"),
            EnvironmentVariable(name: "LOG_LEVEL", description: "Logging level", secret: false, example: "INFO"),
        ]
    }

    /// Seed rows per entity.
    static let seedRowsPerEntity = 2

    /// `seedRowsPerEntity` rows per entity with stable ids, so references between seed rows
    /// resolve; the columns that decide ownership hold seed accounts' ids (`SeedUsers`). Rows go
    /// in spec order, so a reference to an entity seeded later (the optional one that closes a
    /// cycle) is left empty: its row does not exist yet.
    private func seed(for spec: FormalSpec) -> [SeedRecord] {
        let order = Dictionary(spec.entities.enumerated().map { ($1.name, $0) }) { first, _ in first }
        return spec.entities.flatMap { entity in
            (1...Self.seedRowsPerEntity).map { index in
                var values: [String: JSONValue] = ["id": .string(Self.seedID(entity.name, index))]
                for field in entity.fields where field.type != .reference || order[field.references ?? ""] ?? 0 <= order[entity.name] ?? 0 {
                    values[field.type == .reference ? "\(field.name)_id" : field.name] = seedValue(field, entity: entity, index: index)
                }
                values.merge(SeedUsers.ownerValues(ofRow: index, of: entity, in: spec)) { $1 }
                return SeedRecord(entity: entity.name, values: values)
            }
        }
    }

    private func seedValue(_ field: FieldSpec, entity: EntitySpec, index: Int) -> JSONValue {
        switch field.type {
        case .string, .text: .string("\(entity.name.replacingOccurrences(of: "_", with: " ").capitalized) \(field.name.replacingOccurrences(of: "_", with: " ")) \(index)")
        case .int: .number(Double(index * 10))
        case .decimal: .number(Double(index) * 1.5)
        case .money: .number(Double(index) * 1000)
        case .bool: .bool(index == 1)
        case .date: .string("2026-01-0\(index)")
        case .datetime: .string("2026-01-0\(index)T09:00:00Z")
        case .email: .string("\(entity.name)\(index)@example.com")
        case .phone: .string("+1555010\(index)00\(index)")
        case .enum: .string(field.values?[(index - 1) % max(1, field.values?.count ?? 1)] ?? "")
        // Row i points at the referenced row i, so rows given to an owner spread down its paths.
        case .reference: .string(Self.seedID(field.references ?? field.name, index))
        }
    }

    /// A stable UUID for seed row `index` of an entity.
    static func seedID(_ entity: String, _ index: Int) -> String {
        let digest = Array(SHA256.hash(data: Data("seed:\(entity):\(index)".utf8)))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
