import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import Testing
@testable import AgentService
@testable import ApprovalService
@testable import RunService
@testable import SpecService

/// Each of the four services boots against its own schema and answers the common endpoints.
@Suite struct ServiceBootTests {
    /// Builds a service's application by name (each module has its own `buildApplication`).
    private func build(_ name: String, config: ServiceConfig) throws -> any ApplicationProtocol {
        switch name {
        case "spec-service": try SpecService.buildApplication(config: config, logger: ServiceEnvironment.logger)
        case "run-service": try RunService.buildApplication(config: config, logger: ServiceEnvironment.logger, settings: RunSettings(workers: 0))
        case "agent-service": try AgentService.buildApplication(config: config, logger: ServiceEnvironment.logger)
        default: try ApprovalService.buildApplication(config: config, logger: ServiceEnvironment.logger)
        }
    }

    @Test(arguments: ServiceEnvironment.services.map(\.name))
    func serviceAnswersCommonEndpointsAndMigratesItsOwnSchema(name: String) async throws {
        let service = try #require(ServiceEnvironment.services.first { $0.name == name })
        let config = try ServiceEnvironment.config(name: service.name, key: service.key)
        let app = try build(service.name, config: config)
        try await app.test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(service.name))
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("meta_builder_http_requests_total"))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                try OpenAPIValidator.validate(Data(buffer: response.body), name: service.name)
            }
            try await client.execute(uri: "/api/meta/v2/specs", method: .get) { response in
                #expect(response.status == .unauthorized || response.status == .notFound)
            }
        }
        // Its migrations went into its own schema, recorded in its own version table.
        let pool = PostgresPool(config: config.database, applicationName: "service-tests", logger: ServiceEnvironment.logger)
        defer { pool.close() }
        let row = try await pool.query("""
            SELECT current_schema() AS schema,
                   (SELECT count(*) FROM schema_migrations) AS applied,
                   to_regclass('outbox') IS NOT NULL AS has_outbox
            """)[0]
        #expect(try row.decode("schema", as: String.self) == service.schema)
        #expect(try row.decode("applied", as: Int.self) >= 3)
        #expect(try row.decode("has_outbox", as: Bool.self))
    }

    /// The calls each service's contract opens to service tokens: exactly the calls the mesh
    /// makes, and none at all to the agent-service, whose key is accepted nowhere.
    @Test func theContractsOpenExactlyTheCallsTheMeshMakes() throws {
        let contracts = [
            "spec-service": try SpecService.serviceDescriptor().openAPIDocument,
            "run-service": try RunService.serviceDescriptor().openAPIDocument,
            "agent-service": try AgentService.serviceDescriptor().openAPIDocument,
            "approval-service": try ApprovalService.serviceDescriptor().openAPIDocument,
        ]
        var opened: [String: [String]] = [:]
        for (receiver, document) in contracts {
            let policy = try ServiceCallerPolicy(openAPI: document)
            for caller in ServiceCallerPolicy.meshServices {
                for route in policy.routes(callableBy: caller) { opened["\(caller) → \(receiver)", default: []].append(route) }
            }
        }
        #expect(opened == [
            "spec-service → agent-service": ["POST /internal/v1/agents/{role}/execute"],
            "run-service → agent-service": ["GET /api/meta/v2/agents", "POST /internal/v1/agents/{role}/execute", "POST /internal/v1/executions/cancel", "POST /internal/v1/sandboxes/{run}/cleanup"],
            "run-service → spec-service": ["GET /api/meta/v2/specs/{id}/plans", "GET /api/meta/v2/specs/{id}/plans/{planId}", "POST /api/meta/v2/specs/{id}/plan"],
            "run-service → approval-service": ["GET /internal/v1/gates", "POST /internal/v1/gates"],
            "approval-service → spec-service": ["GET /api/meta/v2/specs/{id}/plans/{planId}", "GET /internal/v1/audit"],
            "approval-service → run-service": ["GET /api/meta/v2/runs/{id}", "GET /api/meta/v2/runs/{id}/diff", "GET /api/meta/v2/runs/{id}/report", "GET /internal/v1/audit"],
            "approval-service → agent-service": ["GET /internal/v1/audit"],
            "approval-service → approval-service": ["GET /internal/v1/audit"],
        ])
        #expect(!opened.keys.contains { $0.hasPrefix("agent-service") })
    }
}
