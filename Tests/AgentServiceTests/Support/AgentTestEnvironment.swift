import Foundation
import MeshTestSupport
import Logging
import Shared
import Testing
@testable import AgentService

/// The agent-service's own database role and schema, Redis, and test secrets.
enum AgentTestEnvironment {
    /// A variable that must be set (missing fails the test loudly).
    static func require(_ key: String) throws -> String {
        try RequiredEnvironment.value(key)
    }

    static let auth = MeshKeys.auth(jwtSecret: "agent-tests-user-secret-0123456789abcdef", for: "agent-service")

    /// The key preview credentials are derived from, as the service derives it.
    static let previewKey = PreviewKey(auth.serviceKey.derivedKey(purpose: "preview environments"))

    static let logger = Logger(label: "agent-tests") { _ in SwiftLogNoOpLogHandler() }

    /// The agent-service configuration on a free port.
    static func config() throws -> ServiceConfig {
        ServiceConfig(
            serviceName: "agent-service",
            server: ServerConfig(port: 0),
            database: try ServiceDatabase.config("AGENT", poolSize: 4),
            redis: try RedisConfig(url: try require("META_BUILDER_REDIS_URL")),
            auth: auth,
            outboxPollMilliseconds: 50
        )
    }

    /// Provider settings pointing the OpenAI-compatible provider at a local test server.
    static func providerConfig(baseURL: String = "http://127.0.0.1:9/v1", timeoutMilliseconds: Int = 5000) throws -> ProviderConfig {
        try ProviderConfig(reader: ConfigReader([
            "META_BUILDER_OPENAI_BASE_URL": baseURL,
            "META_BUILDER_OPENAI_API_KEY": "sk-test-not-a-real-key",
            "META_BUILDER_OPENAI_MODEL": "test-model",
            "META_BUILDER_OPENAI_TIMEOUT_MS": String(timeoutMilliseconds),
        ]))
    }

    /// Sandbox settings: the preview database and virtualenv from scripts/test, and optionally a
    /// repositories root.
    static func sandbox(repositoriesRoot: String? = nil) throws -> SandboxConfig {
        var values = [
            "META_BUILDER_PREVIEW_DATABASE_URL": try require("META_BUILDER_PREVIEW_DATABASE_URL"),
            "META_BUILDER_PREVIEW_DATABASE_SOCKET": try require("META_BUILDER_PREVIEW_DATABASE_SOCKET"),
            "META_BUILDER_VENV": try require("META_BUILDER_VENV"),
            "META_BUILDER_WORKSPACE_ROOT": FileManager.default.temporaryDirectory.appendingPathComponent("mb-agent-tests").path,
        ]
        values["META_BUILDER_REPOSITORIES_ROOT"] = repositoriesRoot
        return try SandboxConfig(reader: ConfigReader(values))
    }

    /// The agent registry as the service builds it.
    static func registry(http: HTTPClient? = nil, sandbox: SandboxConfig? = nil) throws -> AgentRegistry {
        let client = http ?? HTTPClient.external(loop: CurlLoop(logger: logger), logger: logger)
        return try AgentRegistry(sandbox: try sandbox ?? Self.sandbox(), previewKey: previewKey, http: client, logger: logger)
    }

    /// A service token as the run-service would send it, on behalf of a user of a tenant.
    static func serviceToken(tenant: UUID, user: String = "user-1", role: Role = .member, from issuer: String = "run-service") -> String {
        Authenticator(config: MeshKeys.auth(jwtSecret: auth.jwtSecret, for: issuer), serviceName: issuer)
            .serviceToken(for: Principal(userID: user, tenantID: tenant, role: role), audience: "agent-service")
    }

    /// A user token.
    static func userToken(tenant: UUID, role: Role = .owner) -> String {
        let jwt = JWT(secret: auth.jwtSecret, issuer: auth.issuer, audience: auth.audience)
        let now = Date().timeIntervalSince1970
        return jwt.sign(JWTClaims(sub: "user-1", tid: tenant.uuidString.lowercased(), role: role.rawValue, exp: now + 300))
    }
}
