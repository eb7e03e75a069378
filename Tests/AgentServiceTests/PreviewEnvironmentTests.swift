import Foundation
import Shared
import Testing
@testable import AgentService

/// Preview schema names: one per run id, injective, valid Postgres identifiers of at most 63 bytes.
@Suite struct PreviewEnvironmentTests {
    private let previewKey = AgentTestEnvironment.previewKey

    private func schema(_ run: String) -> String { PreviewEnvironment.make(run: run, previewKey: previewKey).schema }

    private func isPlainIdentifier(_ name: String) -> Bool {
        name.utf8.count <= 63 && name.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil
    }

    @Test func runIdsThatSanitiseAlikeGetDistinctSchemas() {
        let runs = ["Run-A", "run_a", "run-a", "RUN-A", "run.a", "run a"]
        let names = runs.map(schema)
        #expect(Set(names).count == runs.count, "\(names)")
        #expect(names.allSatisfy { $0.hasPrefix("preview_run_a_") })
        #expect(names.allSatisfy(isPlainIdentifier))
    }

    @Test func longRunIdsDifferingOnlyAtTheEndStayDistinctAndShort() {
        let stem = String(repeating: "x", count: 63)
        let names = ["\(stem)1", "\(stem)2", String(repeating: "é", count: 64), String(repeating: "ü", count: 64)].map(schema)
        #expect(Set(names).count == 4)
        for name in names {
            #expect(isPlainIdentifier(name), "\(name)")
            #expect(name.utf8.count <= 63)
        }
    }

    @Test func theSameRunAlwaysGetsTheSameSchemaAndKeys() {
        let run = "crm-\(UUID().uuidString.prefix(8))"
        #expect(PreviewEnvironment.make(run: run, previewKey: previewKey) == PreviewEnvironment.make(run: run, previewKey: previewKey))
        #expect(schema(run) != schema(run.uppercased()))
    }

    @Test func theLongestNameIsAcceptedByPostgresAsIs() async throws {
        let run = String(repeating: "Z", count: 40) + "-\(UUID().uuidString.prefix(8))"
        let name = schema(run)
        #expect(name.utf8.count == 63)
        let url = try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")
        let pool = PostgresPool(config: DatabaseConfig(url: url, poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        defer { pool.close() }
        try await PreviewDatabase.connect(url: url, name: "agent-tests", logger: AgentTestEnvironment.logger) { preview in
            try await preview.recreate(PreviewEnvironment.make(run: run, previewKey: previewKey))
            let rows = try await pool.query("SELECT count(*) AS n FROM pg_namespace WHERE nspname = \(name)")
            #expect(try rows[0].decode("n", as: Int.self) == 1, "not truncated")
            try await preview.drop(schema: name)
        }
    }
}
