import Foundation
import Hummingbird
import HummingbirdTesting
import Shared

/// A service of the mesh built exactly as the real ones (`ServiceApplication.build`) against the
/// test database, with extra routes that exercise the foundation.
enum TestServiceApp {
    /// The descriptor of the test service: platform migrations only, a minimal contract.
    static let descriptor = ServiceDescriptor(
        name: "test-service",
        defaultPort: 0,
        migrations: [],
        openAPIDocument: Data(#"""
            {"openapi": "3.1.0", "info": {"title": "test", "version": "1"}, "paths": {
              "/healthz": {"get": {}}, "/readyz": {"get": {}}, "/metrics": {"get": {}}, "/openapi.json": {"get": {}},
              "/api/meta/v2/whoami": {"get": {}}, "/internal/v1/audit": {"get": {}}, "/sleep/{seconds}": {"get": {}}, "/echo": {"post": {}}
            }}
            """#.utf8)
    )

    /// A JSON body the echo route decodes.
    struct Echo: Codable, ResponseEncodable {
        let name: String
        let count: Int
        let tags: [String]?
    }

    /// Builds the app; routes: `POST /echo` (decode/encode), `GET /sleep/:seconds` (pg_sleep),
    /// `GET /api/meta/v2/whoami` (authenticated).
    static func make(config: ServiceConfig) throws -> some ApplicationProtocol {
        let runtime = ServiceRuntime(config: config, logger: TestEnvironment.logger)
        return try ServiceApplication.build(descriptor: descriptor, runtime: runtime) { routes in
            let router = routes.router
            let api = routes.api
            router.post("echo") { request, context in
                try await request.decode(as: Echo.self, context: context)
            }
            router.get("sleep/:seconds") { _, context -> String in
                let seconds = try context.parameters.require("seconds", as: Double.self)
                try await runtime.pool.query("SELECT pg_sleep(\(seconds))")
                return "slept"
            }
            api.get("whoami") { _, context -> String in
                "\(context.principal.userID)@\(context.tenantID.uuidString.lowercased()):\(context.principal.role.rawValue)"
            }
        }
    }
}

extension TestResponse {
    /// The wire error in the body, if any.
    var wireError: WireError? { WireError.decode(from: Data(buffer: body)) }
    /// The body as text.
    var text: String { String(buffer: body) }
}
