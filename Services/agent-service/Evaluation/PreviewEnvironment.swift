import Crypto
import Foundation
import Shared

/// The preview environment of one run: a schema of its own in the preview database and the
/// settings the generated app reads (its own secrets, never the service's).
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

    /// The environment for the scaffold's own processes (migrate, seed, pytest, the app).
    func variables(databaseURL: String, sandbox: SandboxConfig) -> [String: String] {
        ProcessRunner.environment([
            "PATH": "\(sandbox.virtualenv)/bin:/usr/local/bin:/usr/bin:/bin",
            "VIRTUAL_ENV": sandbox.virtualenv,
            "DATABASE_URL": databaseURL.replacingOccurrences(of: "postgres://", with: "postgresql://"),
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

    /// The environment of a run: schema from the run id, keys derived from the run id with the
    /// service's key (HMAC), so DevOps and QA derive the same keys and no key is ever stored.
    static func make(run: String, keySeed: String) -> PreviewEnvironment {
        let safe = run.lowercased().prefix(38).map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }
        let digest = SHA256.hash(data: Data(run.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        let key = SymmetricKey(data: Data(keySeed.utf8))
        let jwt = Data(HMAC<SHA256>.authenticationCode(for: Data("preview-jwt:\(run)".utf8), using: key))
        let pii = Data(HMAC<SHA256>.authenticationCode(for: Data("preview-pii:\(run)".utf8), using: key))
        return PreviewEnvironment(
            schema: "preview_\(String(safe))_\(digest)",
            jwtSecret: jwt.map { String(format: "%02x", $0) }.joined(),
            piiKey: pii.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        )
    }
}
