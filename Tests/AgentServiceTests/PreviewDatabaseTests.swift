import Foundation
import Shared
import Testing
@testable import AgentService

/// One use of the preview database (a whole QA evaluation) holds one connection for its length
/// and closes it at the end, instead of a connection per call.
@Suite struct PreviewDatabaseTests {
    @Test func oneUseSharesOneConnectionAndClosesItAtTheEnd() async throws {
        let url = try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")
        let name = "agent-tests-preview-\(UUID().uuidString.prefix(8).lowercased())"
        let schema = "preview_connection_test_\(UUID().uuidString.prefix(8).lowercased())"
        let observer = PostgresPool(config: DatabaseConfig(url: url, poolSize: 1), applicationName: "agent-tests", logger: AgentTestEnvironment.logger)
        defer { observer.close() }
        @Sendable func backends() async throws -> [Int] {
            try await observer.query("SELECT pid FROM pg_stat_activity WHERE application_name = \(name) ORDER BY pid", deadline: .after(.seconds(10))).map { try $0.decode("pid", as: Int.self) }
        }
        try await PreviewDatabase.connect(url: url, name: name, logger: AgentTestEnvironment.logger) { database in
            try await database.recreate(schema: schema)
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
}
