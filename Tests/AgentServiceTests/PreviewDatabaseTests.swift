import Crypto
import Foundation
import Shared
import Testing
@testable import AgentService

/// One use of the preview database (a whole QA evaluation) holds one connection for its length
/// and closes it at the end, instead of a connection per call; each preview gets a schema and two
/// roles of its own, and a drop leaves none of them behind.
@Suite struct PreviewDatabaseTests {
    @Test func oneUseSharesOneConnectionAndClosesItAtTheEnd() async throws {
        let url = try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")
        let name = "agent-tests-preview-\(UUID().uuidString.prefix(8).lowercased())"
        let preview = PreviewEnvironment.make(run: "connection-test-\(UUID().uuidString)", previewKey: PreviewKey(SymmetricKey(data: Data("preview-database-tests".utf8))))
        let schema = preview.schema
        let observer = PostgresPool(config: DatabaseConfig(url: url, poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        defer { observer.close() }
        @Sendable func backends() async throws -> [Int] {
            try await observer.query("SELECT pid FROM pg_stat_activity WHERE application_name = \(name) ORDER BY pid", deadline: .after(.seconds(10))).map { try $0.decode("pid", as: Int.self) }
        }
        try await PreviewDatabase.connect(url: url, name: name, logger: AgentTestEnvironment.logger) { database in
            try await database.recreate(preview)
            let first = try await backends()
            #expect(first.count == 1)
            let left = try await database.leftovers(in: schema, deadline: .after(.seconds(10)))
            #expect(left.isEmpty)
            #expect(try await backends() == first, "the second call used another connection")
            try await database.drop(schema: schema)
            #expect(try await backends() == first, "the third call used another connection")
        }
        var open = try await backends()
        for _ in 0..<40 where !open.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            open = try await backends()
        }
        #expect(open.isEmpty, "the connection is closed at the end")
    }

    @Test func aPreviewHasAnOwnerAndAnAppRoleOfItsOwnAndADropLeavesNeither() async throws {
        let url = try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")
        let preview = PreviewEnvironment.make(run: "roles-test-\(UUID().uuidString)", previewKey: PreviewKey(SymmetricKey(data: Data("preview-database-tests".utf8))))
        let sandbox = try AgentTestEnvironment.sandbox()
        let environment = preview.variables(databaseURL: url, sandbox: sandbox)
        let observer = PostgresPool(config: DatabaseConfig(url: url, poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        defer { observer.close() }
        @Sendable func count(_ sql: SQL) async throws -> Int {
            try await observer.query(sql, deadline: .after(.seconds(10)))[0].decode("n", as: Int.self)
        }
        try await PreviewDatabase.connect(url: url, name: "agent-tests", logger: AgentTestEnvironment.logger) { database in
            try await database.recreate(preview)
            try await database.recreate(preview)  // again, as a second iteration does
            let owner = try await observer.query("SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = \(preview.schema)", deadline: .after(.seconds(10)))
            #expect(try owner.first?.decode("owner", as: String.self) == preview.roles.owner)
            // Each role logs in with its password from the app's environment; only the owner may create tables.
            let asOwner = PostgresPool(config: DatabaseConfig(url: try #require(environment["MIGRATION_DATABASE_URL"]), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
            defer { asOwner.close() }
            try await asOwner.withSession(deadline: .after(.seconds(10))) { try await $0.executeScript("CREATE TABLE \(preview.schema).probe (id int)") }
            let asApp = PostgresPool(config: DatabaseConfig(url: try #require(environment["DATABASE_URL"]), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
            defer { asApp.close() }
            let who = try await asApp.query("SELECT current_user::text AS me", deadline: .after(.seconds(10)))
            #expect(try who[0].decode("me", as: String.self) == preview.roles.app)
            await #expect(throws: (any Error).self) {
                try await asApp.withSession(deadline: .after(.seconds(10))) { try await $0.executeScript("CREATE TABLE \(preview.schema).intruder (id int)") }
            }
            asOwner.close()
            asApp.close()
            try await database.drop(schema: preview.schema)
        }
        #expect(try await count("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = \(preview.schema)") == 0)
        #expect(try await count("SELECT count(*)::int AS n FROM pg_roles WHERE rolname IN (\(preview.roles.owner), \(preview.roles.app))") == 0)
    }

    /// Runs start together: their previews are made and dropped at once without one failing
    /// another (no run changes a shared catalog row such as the database's privileges).
    @Test func previewsMadeAndDroppedAtOnceDoNotTripOverEachOther() async throws {
        let url = try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")
        let previews = (0..<8).map { _ in PreviewEnvironment.make(run: "concurrent-\(UUID().uuidString)", previewKey: PreviewKey(SymmetricKey(data: Data("preview-database-tests".utf8)))) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for preview in previews {
                group.addTask {
                    try await PreviewDatabase.connect(url: url, name: "agent-tests", logger: AgentTestEnvironment.logger) { database in
                        try await database.recreate(preview)
                        try await database.drop(schema: preview.schema)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func theServiceCannotMakeOtherRolesThroughThePreviewFunctions() async throws {
        let url = try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")
        let pool = PostgresPool(config: DatabaseConfig(url: url, poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        defer { pool.close() }
        for sql: SQL in ["SELECT meta_preview.create_roles('spec', repeat('o', 32), repeat('a', 32))::text AS r",
                         "SELECT meta_preview.drop_roles('spec_svc')::text AS r", "CREATE ROLE intruder LOGIN"] {
            await #expect(throws: (any Error).self) { _ = try await pool.query(sql, deadline: .after(.seconds(10))) }
        }
    }

    @Test func oneRunsRolesCannotDropReadOrWriteAnotherRunsSchema() async throws {
        let url = try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")
        let key = PreviewKey(SymmetricKey(data: Data("preview-database-tests".utf8)))
        let (hostile, victim) = (PreviewEnvironment.make(run: "hostile-\(UUID().uuidString)", previewKey: key), PreviewEnvironment.make(run: "victim-\(UUID().uuidString)", previewKey: key))
        let sandbox = try AgentTestEnvironment.sandbox()
        func pool(_ preview: PreviewEnvironment, _ variable: String) throws -> PostgresPool {
            let environment = preview.variables(databaseURL: url, sandbox: sandbox)
            return PostgresPool(config: DatabaseConfig(url: try #require(environment[variable]), poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        }
        try await PreviewDatabase.connect(url: url, name: "agent-tests", logger: AgentTestEnvironment.logger) { database in
            try await database.recreate(hostile)
            try await database.recreate(victim)
            let victimOwner = try pool(victim, "MIGRATION_DATABASE_URL")
            defer { victimOwner.close() }
            try await victimOwner.withSession(deadline: .after(.seconds(10))) { try await $0.executeScript("CREATE TABLE \(victim.schema).rows (id int); INSERT INTO \(victim.schema).rows VALUES (1)") }
            victimOwner.close()
            for variable in ["MIGRATION_DATABASE_URL", "DATABASE_URL"] {
                let attacker = try pool(hostile, variable)
                defer { attacker.close() }
                for script in ["DROP SCHEMA \(victim.schema) CASCADE", "DROP TABLE \(victim.schema).rows", "DELETE FROM \(victim.schema).rows",
                               "SELECT * FROM \(victim.schema).rows", "CREATE TABLE \(victim.schema).planted (id int)", "ALTER SCHEMA \(victim.schema) RENAME TO gone"] {
                    await #expect(throws: (any Error).self, "\(variable): \(script)") {
                        try await attacker.withSession(deadline: .after(.seconds(10))) { try await $0.executeScript(script) }
                    }
                }
                attacker.close()
            }
            let observer = PostgresPool(config: DatabaseConfig(url: url, poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
            defer { observer.close() }
            let left = try await observer.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = \(victim.schema) AND tablename = 'rows'", deadline: .after(.seconds(10)))
            #expect(try left[0].decode("n", as: Int.self) == 1, "the victim's table is still there")
            observer.close()
            try await database.drop(schema: hostile.schema)
            try await database.drop(schema: victim.schema)
        }
    }
}
