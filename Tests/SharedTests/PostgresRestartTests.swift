import Foundation
import Testing
@testable import Shared

/// A Postgres restart heals without restarting the service. Run alone (scripts/test runs the
/// `RestartTests` suites in a separate pass, since they take the servers down).
@Suite(.serialized) struct PostgresRestartTests {
    @Test func poolRecoversAfterPostgresRestart() async throws {
        try await TestDatabase.withPool(poolSize: 3) { pool in
            // Warm every connection so all of them are stale after the restart.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = try await pool.query("SELECT pg_sleep(0.05)") } }
                try await group.waitForAll()
            }
            let before = try await pool.query("SELECT pg_postmaster_start_time()::text AS started")[0].decode("started", as: String.self)
            try TestEnvironment.infra("restart-postgres")
            var after: String?
            for _ in 0..<50 where after == nil {
                after = try? await pool.query("SELECT pg_postmaster_start_time()::text AS started", deadline: .after(.seconds(2)))[0].decode("started", as: String.self)
                if after == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(after != nil)
            #expect(after != before)
            // Every connection of the pool works again.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 { group.addTask { _ = try await pool.query("SELECT 1", deadline: .after(.seconds(5))) } }
                try await group.waitForAll()
            }
        }
    }
}
