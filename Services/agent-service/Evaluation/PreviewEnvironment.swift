import Crypto
import Foundation
import Shared

/// The preview environment of one run: a schema of its own in the preview database, two database
/// roles of its own (the schema's owner, which runs the migrations, and the app's role, with only
/// what the migrations grant it), and the settings the generated app reads (its own secrets, never
/// the service's).
struct PreviewEnvironment: Codable, Sendable, Equatable {
    /// The schema name, `preview_<sanitised run id>_<hash>`: one per run id, distinct for distinct
    /// run ids, a plain Postgres identifier of at most 63 bytes.
    ///
    /// The sanitised part (lowercase ASCII letters and digits, everything else `_`, at most 38
    /// characters) is for people reading the database; the first 16 hex digits of sha256 of the
    /// raw run id are what tell runs apart, so `Run-A` and `run_a` no longer share a schema.
    var schema: String
    /// JWT key of the generated app in this preview.
    var jwtSecret: String
    /// Fernet key encrypting the app's PII columns in this preview.
    var piiKey: String
    /// Password of the preview's owner role (`PreviewRoles.owner`).
    var ownerPassword: String
    /// Password of the preview's app role (`PreviewRoles.app`).
    var appPassword: String

    /// The preview's database roles, named after the end of its schema name.
    var roles: PreviewRoles { PreviewRoles(schema: schema)! }

    /// The environment for the scaffold's own processes (migrate, seed, pytest, the app).
    func variables(databaseURL: String, sandbox: SandboxConfig) -> [String: String] {
        ProcessRunner.environment([
            "PATH": "\(sandbox.virtualenv)/bin:/usr/local/bin:/usr/bin:/bin",
            "VIRTUAL_ENV": sandbox.virtualenv,
            "DATABASE_URL": Self.url(databaseURL, user: roles.app, password: appPassword, socketDirectory: sandbox.confinedDatabaseSocket),
            "MIGRATION_DATABASE_URL": Self.url(databaseURL, user: roles.owner, password: ownerPassword, socketDirectory: sandbox.confinedDatabaseSocket),
            "DATABASE_SCHEMA": schema,
            "JWT_SECRET": jwtSecret,
            "PII_ENCRYPTION_KEY": piiKey,
            "RATE_LIMIT_PER_MINUTE": "100000",
            // The seed accounts' password is public (`dev-password`), so a dear hash protects
            // nothing in a throwaway preview; the cheapest cost keeps seeding and sign-ins fast.
            "PASSWORD_HASH_COST": "10",
            "LOG_LEVEL": "INFO",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
        ])
    }

    /// The environment of a run: schema from the run id, keys and passwords derived from the run
    /// id with the service's preview key (HMAC), so DevOps and QA derive the same ones and none
    /// is ever stored.
    static func make(run: String, previewKey: PreviewKey) -> PreviewEnvironment {
        let safe = run.lowercased().prefix(38).map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }
        let digest = SHA256.hash(data: Data(run.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        func derived(_ purpose: String) -> Data {
            previewKey.code(for: "preview-\(purpose):\(run)")
        }
        func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }
        return PreviewEnvironment(
            schema: "preview_\(String(safe))_\(digest)",
            jwtSecret: hex(derived("jwt")),
            piiKey: derived("pii").base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"),
            ownerPassword: hex(derived("db-owner")),
            appPassword: hex(derived("db-app"))
        )
    }

    /// The preview database's URL logging in as `user` (postgresql:// for psycopg); through the
    /// Unix socket in `socketDirectory` (same port) when given.
    private static func url(_ databaseURL: String, user: String, password: String, socketDirectory: String?) -> String {
        guard var components = URLComponents(string: databaseURL) else { return databaseURL }
        components.scheme = "postgresql"
        components.user = user
        components.password = password
        if let socketDirectory {
            var query = (components.queryItems ?? []).filter { $0.name != "host" && $0.name != "port" }
            query += [URLQueryItem(name: "host", value: socketDirectory), URLQueryItem(name: "port", value: String(components.port ?? 5432))]
            components.host = ""
            components.port = nil
            components.queryItems = query
        }
        return components.string ?? databaseURL
    }
}
