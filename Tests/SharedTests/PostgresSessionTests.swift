import Foundation
import Testing
@testable import Shared

/// How a session uses its connection: on the connection's own thread, with prepared statements,
/// deferred statements that ride with the next one, and a bounded number of threads.
@Suite struct PostgresSessionTests {
    @Test func aSessionRunsItsStatementsOnItsConnectionsThread() async throws {
        try await TestDatabase.withPool(poolSize: 2) { pool in
            let threads = try await pool.withTenant(UUID(), deadline: .after(.seconds(30))) { session in
                var seen: [Bool] = []
                for _ in 0..<3 {
                    try await session.query("SELECT 1 AS one")
                    seen.append(session.connection.thread.isCurrent)
                }
                return seen
            }
            #expect(threads == [true, true, true])
        }
    }

    @Test func statementsArePreparedOncePerConnectionAndReused() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let marker = "prepared-\(UUID().uuidString.prefix(8))"
            for value in 0..<5 {
                let row = try await pool.query("SELECT \(value)::int AS value, \(marker)::text AS marker", deadline: .after(.seconds(30)))[0]
                #expect(try row.decode("value", as: Int.self) == value)
            }
            let prepared = try await pool.query("""
                SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int AS value, $2::text AS marker%'
                """, deadline: .after(.seconds(30)))
            #expect(try prepared[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test func deferredStatementsCommitWithTheTransactionAndTheirFailureRollsItBack() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let tenant = UUID()
            func insert(_ action: String, id: UUID = UUID()) -> SQL {
                "INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id) VALUES (\(id), \(tenant), 'u', \(action), 'thing', '1')"
            }
            try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                try await session.executeDeferred(insert("deferred.one"))
                try await session.executeDeferred(insert("deferred.two"))
            }
            // A deferred statement that fails (a duplicate key) fails the COMMIT: nothing of it stays.
            let duplicate = UUID()
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                    try await session.execute(insert("deferred.three", id: duplicate))
                    try await session.executeDeferred(insert("deferred.four", id: duplicate))
                }
            }
            #expect(error?.sqlState == "23505")
            let actions = try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                try await session.query("SELECT action FROM audit_log ORDER BY action").map { try $0.decode("action", as: String.self) }
            }
            #expect(actions == ["deferred.one", "deferred.two"])
        }
    }

    @Test func aBatchIsOneTenantTransactionInOneRoundTrip() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let tenant = UUID()
            let results = try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), [
                "SELECT current_setting('app.tenant_id') AS tenant, txid_current() AS tx",
                "SELECT txid_current() AS tx, current_setting('statement_timeout') AS timeout",
            ])
            #expect(try results[0][0].decode("tenant", as: String.self) == tenant.lowercaseText)
            // Both statements ran in one transaction, under the deadline's statement_timeout.
            #expect(try results[0][0].decode("tx", as: Int64.self) == results[1][0].decode("tx", as: Int64.self))
            #expect(try results[1][0].decode("timeout", as: String.self) != "0")
            // A failing statement rolls the batch back and leaves a clean connection behind.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), [
                    "INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id) VALUES (\(UUID()), \(tenant), 'u', 'batch.one', 'thing', '1')",
                    "SELECT 1 / \(0) AS boom",
                ])
            }
            #expect(error?.sqlState == "22012")
            let after = try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), [
                "SELECT count(*) AS n FROM audit_log",
            ])
            #expect(try after[0][0].decode("n", as: Int.self) == 0)
            let outside = try await pool.query("SELECT coalesce(current_setting('app.tenant_id', true), '') AS t", deadline: .after(.seconds(30)))
            #expect(try outside[0].decode("t", as: String.self) == "")
        }
    }

    @Test func theConnectionsThreadKeepsTheDeadlineWhenTheServerWouldNot() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession(deadline: .after(.seconds(1))) { session in
                    // Behind the session's back: no server-side timeout any more.
                    try await session.execute("SELECT set_config('statement_timeout', '0', false)")
                    try await session.query("SELECT pg_sleep(10), 'server timeout off'::text")
                }
            }
            // The thread's poll saw the deadline pass and cancelled the statement itself.
            #expect(error?.kind == .deadlineExceeded)
            let one = try await pool.query("SELECT 1 AS one", deadline: .after(.seconds(10)))[0].decode("one", as: Int.self)
            #expect(one == 1)
        }
    }

    @Test func aServerThatStopsAnsweringCostsTheConnectionNotTheCaller() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let backend = Int32(try await pool.query("SELECT pg_backend_pid() AS pid", deadline: .after(.seconds(10)))[0].decode("pid", as: Int.self))
            // The backend is frozen: neither the statement nor the cancel request gets an answer.
            #expect(kill(backend, SIGSTOP) == 0)
            let started = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT 1 AS one", deadline: .after(.seconds(1)))
            }
            _ = kill(backend, SIGCONT)
            // Given up after the deadline and the cancel's grace, with the deadline as the reason.
            #expect(error?.kind == .deadlineExceeded)
            #expect(ContinuousClock.now - started < .seconds(1) + PostgresConnection.cancelGrace + .seconds(3))
            // The connection that could not be trusted was replaced: the pool heals on its own.
            let after = Int32(try await pool.query("SELECT pg_backend_pid() AS pid", deadline: .after(.seconds(10)))[0].decode("pid", as: Int.self))
            #expect(after != backend)
        }
    }

    @Test func sessionsUnderLoadRunOnNoMoreThreadsThanThePoolHasConnections() async throws {
        try await TestDatabase.withPool(poolSize: 3) { pool in
            let threads = try await withThrowingTaskGroup(of: UInt.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        try await pool.withTenant(UUID(), deadline: .after(.seconds(30))) { session in
                            try await session.query("SELECT \(index)::int AS n")
                            return UInt(pthread_self())
                        }
                    }
                }
                return try await group.reduce(into: Set<UInt>()) { $0.insert($1) }
            }
            #expect(threads.count <= 3)
        }
    }
}
