import Foundation
import MeshTestSupport
import Testing
@testable import Shared

/// The libpq pool against the real Postgres started by scripts/test.
@Suite struct PostgresPoolTests {
    @Test func twoHundredConcurrentQueriesOverFourConnections() async throws {
        try await TestDatabase.withPool(poolSize: 4) { pool in
            let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let row = try await pool.query("SELECT \(index)::int + 1 AS value, pg_backend_pid() AS pid", deadline: .after(.seconds(30)))[0]
                        return (try row.decode("value", as: Int.self), try row.decode("pid", as: Int.self))
                    }
                }
                return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
            }
            #expect(results.count == 200)
            #expect(Set(results.map(\.0)) == Set(1...200))
            #expect(Set(results.map(\.1)).count <= 4)
        }
    }

    /// A transaction left idle (its process stopped between statements) loses its session once
    /// the idle timeout passes, and with it its locks; the pool goes on with a new connection.
    @Test func aTransactionLeftIdleLosesItsSessionAndItsLocks() async throws {
        var config = try TestEnvironment.database(poolSize: 1)
        config.idleInTransactionTimeoutMilliseconds = 300
        let pool = PostgresPool(config: config, applicationName: "shared-tests", logger: TestEnvironment.logger)
        defer { pool.close() }
        let lock = Int64.random(in: 1...Int64.max)
        let outcome = await #expect(throws: PostgresError.self) {
            try await pool.withSession(deadline: .after(.seconds(10))) { session in
                try await session.transaction {
                    _ = try await $0.query("SELECT pg_advisory_xact_lock(\(lock))")
                    try await Task.sleep(for: .seconds(1))
                    _ = try await $0.query("SELECT 1")
                }
            }
        }
        #expect(outcome != nil, "the idle transaction should have been ended by the server")
        let other = PostgresPool(config: try TestEnvironment.database(poolSize: 1), applicationName: "shared-tests", logger: TestEnvironment.logger)
        defer { other.close() }
        let locked = try await other.query("SELECT pg_try_advisory_xact_lock(\(lock)) AS locked", deadline: .after(.seconds(5)))[0].decode("locked", as: Bool.self)
        #expect(locked, "the ended transaction's lock is free")
        #expect(try await pool.query("SELECT 1 AS one", deadline: .after(.seconds(5)))[0].decode("one", as: Int.self) == 1)
    }

    @Test func poolNeverOpensMoreThanItsCapacity() async throws {
        let pool = PostgresPool(config: try TestEnvironment.database(poolSize: 3), applicationName: "pool-capacity-\(UUID().uuidString.prefix(8))", logger: TestEnvironment.logger)
        defer { pool.close() }
        let pids = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    try await pool.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.01)", deadline: .after(.seconds(30)))[0].decode("pid", as: Int.self)
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(pids.count <= 3)
        #expect(pids.count >= 1)
    }

    @Test func typedValuesRoundTrip() async throws {
        try await TestDatabase.withPool { pool in
            let id = UUID()
            let now = Date()
            let row = try await pool.query("""
                SELECT \(id)::uuid AS id, \(now)::timestamptz AS at, \(true)::boolean AS flag,
                       \(Data([1, 2, 3]))::bytea AS bytes, \(JSONText(#"{"a":1}"#))::jsonb AS doc,
                       \(3.5)::float8 AS ratio, NULL::text AS nothing
                """)[0]
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(abs(try row.decode("at", as: Date.self).timeIntervalSince(now)) < 0.001)
            #expect(try row.decode("flag", as: Bool.self))
            #expect(try row.decode("bytes", as: Data.self) == Data([1, 2, 3]))
            #expect(try row.decode("doc", as: JSONText.self).text == #"{"a": 1}"#)
            #expect(try row.decode("ratio", as: Double.self) == 3.5)
            #expect(try row.decode("nothing", as: String?.self) == nil)
            #expect(throws: PostgresDecodingError.self) { try row.decode("nothing", as: String.self) }
            #expect(throws: PostgresDecodingError.self) { try row.decode("missing", as: String.self) }
        }
    }

    @Test func injectionAttemptIsJustAValue() async throws {
        try await TestDatabase.withPool { pool in
            let hostile = "x'; DROP TABLE audit_log; --"
            let echoed = try await pool.query("SELECT \(hostile)::text AS v")[0].decode("v", as: String.self)
            #expect(echoed == hostile)
            #expect(try await pool.query("SELECT to_regclass('audit_log') IS NOT NULL AS present")[0].decode("present", as: Bool.self))
        }
    }

    @Test func nulCharactersAreRefusedNotCutShort() async throws {
        try await TestDatabase.withPool { pool in
            let text = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT \("\u{0}abc")::text AS v")
            }
            #expect(text?.wireError.code == .invalidArgument)
            // Postgres itself refuses the NUL escape inside jsonb.
            let json = await #expect(throws: PostgresError.self) {
                try await pool.query(#"SELECT '{"a": "\u0000"}'::jsonb ->> 'a' AS v"#)
            }
            #expect(json?.sqlState == "22P05")
            #expect(json?.wireError.code == .invalidArgument)
            // The connection is fine afterwards.
            let echoed = try await pool.query("SELECT \("abc")::text AS v")[0].decode("v", as: String.self)
            #expect(echoed == "abc")
        }
    }

    @Test func serverErrorsMapToWireCodes() async throws {
        try await TestDatabase.withPool { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT 'not-a-uuid'::uuid")
            }
            #expect(error?.sqlState == "22P02")
            #expect(error?.wireError.code == .invalidArgument)
            let syntax = await #expect(throws: PostgresError.self) { try await pool.query("SELEC 1") }
            #expect(syntax?.wireError.code == .internal)
            #expect(syntax?.wireError.message.contains("SELEC") == false)
        }
    }

    @Test func queryPastItsDeadlineIsCancelledOnTheServer() async throws {
        try await TestDatabase.withPool { pool in
            let marker = "deadline-\(UUID().uuidString)"
            // Warm the pool so the deadline runs out during the statement, not while connecting.
            try await pool.query("SELECT 1", deadline: .after(.seconds(30)))
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT pg_sleep(5), \(marker)::text", deadline: .after(.seconds(1)))
            }
            #expect(error?.kind == .deadlineExceeded)
            #expect(error?.wireError.code == .deadlineExceeded)
            let running = try await pool.query("""
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(5)%' AND pid <> pg_backend_pid()
                """, deadline: .after(.seconds(5)))
            #expect(try running[0].decode("n", as: Int.self) == 0)
            // The connection that was cancelled is healthy and reused.
            #expect(try await pool.query("SELECT 1 AS one")[0].decode("one", as: Int.self) == 1)
        }
    }

    @Test func cancellingTheTaskCancelsTheStatement() async throws {
        try await TestDatabase.withPool { pool in
            let started = ContinuousClock.now
            let task = Task {
                try await pool.query("SELECT pg_sleep(10)", deadline: .after(.seconds(60)))
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let result = await task.result
            #expect(throws: (any Error).self) { try result.get() }
            if case .failure(let error as PostgresError) = result {
                #expect(error.kind == .cancelled)
            }
            // The statement did not run to its end: the server was told to cancel it.
            #expect(ContinuousClock.now - started < .seconds(10))
            let running = try await pool.query("SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(10)'")
            #expect(try running[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test func waitingForAConnectionHonoursTheDeadline() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let (checkedOut, signal) = AsyncStream.makeStream(of: Void.self)
            async let holder: Void = pool.withSession(deadline: .after(.seconds(20))) { session in
                signal.yield()
                try await session.query("SELECT pg_sleep(3)")
            }
            // Wait until the only connection is really taken (causal, not a guess at timing).
            var iterator = checkedOut.makeAsyncIterator()
            await iterator.next()
            let error = await #expect(throws: WireError.self) {
                try await pool.query("SELECT 1", deadline: .after(.milliseconds(200)))
            }
            #expect(error?.code == .deadlineExceeded)
            try await holder
            #expect(try await pool.query("SELECT 2 AS two")[0].decode("two", as: Int.self) == 2)
        }
    }

    /// A server that takes the connection and never answers: the caller waits no longer than
    /// its deadline, though the connect timeout is far away, and so does the next caller, whose
    /// only slot is still opening.
    @Test func openingAConnectionHonoursTheDeadline() async throws {
        let silent = try SilentPort()
        let config = DatabaseConfig(url: "postgres://nobody:nothing@127.0.0.1:\(silent.port)/none", poolSize: 1, connectTimeoutSeconds: 60)
        let pool = PostgresPool(config: config, applicationName: "open-deadline", logger: TestEnvironment.logger)
        let started = ContinuousClock.now
        for _ in 0..<2 {
            let error = await #expect(throws: WireError.self) { try await pool.query("SELECT 1", deadline: .after(.milliseconds(300))) }
            #expect(error?.code == .deadlineExceeded, "\(error.map { "\($0)" } ?? "")")
        }
        #expect(ContinuousClock.now - started < .seconds(30), "both ended at their deadlines, not at the 60 s connect timeout")
    }

    /// A connection that opens after its caller gave up is not lost: it goes to the pool, and
    /// the next callers use it. (The first caller's 3 ms deadline usually passes while the
    /// connection is still authenticating; either way the connection opened for it must serve
    /// the rest.)
    @Test func aConnectionOpenedForACallerThatGaveUpServesTheNextOnes() async throws {
        let name = "late-open-\(UUID().uuidString.prefix(8))"
        let pool = PostgresPool(config: try TestEnvironment.database(poolSize: 1), applicationName: name, logger: TestEnvironment.logger)
        defer { pool.close() }
        _ = try? await pool.query("SELECT 1", deadline: .after(.milliseconds(3)))
        var backends: [Int] = []
        try await TestDatabase.withPool(poolSize: 1) { observer in
            for _ in 0..<100 where backends.isEmpty {
                backends = try await observer.query("SELECT pid FROM pg_stat_activity WHERE application_name = \(name)").map { try $0.decode("pid", as: Int.self) }
                if backends.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
        }
        #expect(backends.count == 1, "the connection opened for the first caller is in the pool")
        for _ in 0..<3 {
            let pid = try await pool.query("SELECT pg_backend_pid() AS pid", deadline: .after(.seconds(30)))[0].decode("pid", as: Int.self)
            #expect([pid] == backends)
        }
    }

    @Test func transactionRollsBackOnError() async throws {
        try await TestDatabase.withPool { pool in
            let tenant = UUID()
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await pool.withTenant(tenant) { session in
                    try await session.execute("""
                        INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id)
                        VALUES (\(UUID()), \(tenant), 'u', 'test.rollback', 'thing', '1')
                        """)
                    throw Boom()
                }
            }
            let count = try await pool.withTenant(tenant) { session in
                try await session.query("SELECT count(*) AS n FROM audit_log")[0].decode("n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test func tenantSettingDoesNotLeakToTheNextUserOfAConnection() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let tenant = UUID()
            try await pool.withTenant(tenant) { session in
                let seen = try await session.query("SELECT current_setting('app.tenant_id', true) AS t")[0].decode("t", as: String.self)
                #expect(seen == tenant.uuidString.lowercased())
            }
            let after = try await pool.query("SELECT coalesce(current_setting('app.tenant_id', true), '') AS t")[0].decode("t", as: String.self)
            #expect(after == "")
        }
    }

    @Test func cancelledTransactionRollsBackAndTheNextCallerCommitsOnlyItsOwnWrites() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let tenant = UUID()
            let (inserted, signal) = AsyncStream.makeStream(of: Void.self)
            // The first caller writes, then is cancelled between statements of its transaction.
            let first = Task {
                try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                    try await session.execute("""
                        INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id)
                        VALUES (\(UUID()), \(tenant), 'u', 'test.cancelled', 'thing', '1')
                        """)
                    signal.yield()
                    try await Task.sleep(for: .seconds(30))
                }
            }
            var iterator = inserted.makeAsyncIterator()
            await iterator.next()
            first.cancel()
            await #expect(throws: CancellationError.self) { try await first.value }

            // The next caller of the only connection starts a fresh transaction and commits its own row.
            _ = try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
                try await session.execute("""
                    INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id)
                    VALUES (\(UUID()), \(tenant), 'u', 'test.next', 'thing', '2')
                    """)
            }
            let actions = try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
                try await session.query("SELECT action FROM audit_log ORDER BY action").map { try $0.decode("action", as: String.self) }
            }
            #expect(actions == ["test.next"])
        }
    }

    @Test func statementCancelledInsideATransactionLeavesAUsableConnection() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let tenant = UUID()
            // Warm the pool, so the deadline is spent in the statement rather than in connecting.
            try await pool.query("SELECT 1", deadline: .after(.seconds(30)))
            // On a loaded machine the deadline may also run out before the sleep starts; either way
            // the transaction ends with DEADLINE_EXCEEDED.
            let error = await #expect(throws: (any Error).self) {
                try await pool.withTenant(tenant, deadline: .after(.seconds(2))) { session in
                    try await session.query("SELECT pg_sleep(10), 'in a transaction'::text")
                }
            }
            #expect((error as? any WireErrorConvertible)?.wireError.code == .deadlineExceeded)
            // The aborted transaction was rolled back: the connection is idle, not in a failed block.
            let count = try await pool.withTenant(tenant, deadline: .after(.seconds(10))) { session in
                try await session.query("SELECT count(*) AS n FROM audit_log")[0].decode("n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test func transactionPreludeRunsInTheSameRoundTripAndAFailureLeavesTheConnectionClean() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let seen = try await pool.withSession(deadline: .after(.seconds(10))) { session in
                try await session.transaction(prelude: ["SELECT set_config('app.tenant_id', \("prelude-value"), true)", "SELECT 2 AS two"]) { session in
                    try await session.query("SELECT current_setting('app.tenant_id') AS t")[0].decode("t", as: String.self)
                }
            }
            #expect(seen == "prelude-value")
            // A failing prelude statement is the error, the rest are skipped, nothing stays open.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withSession(deadline: .after(.seconds(10))) { session in
                    try await session.transaction(prelude: ["SELECT 1 / \(0) AS boom", "SELECT set_config('app.tenant_id', \("never"), true)"]) { _ in 1 }
                }
            }
            #expect(error?.sqlState == "22012")
            let after = try await pool.query("SELECT coalesce(current_setting('app.tenant_id', true), '') AS t, pg_backend_pid() AS pid", deadline: .after(.seconds(10)))[0]
            #expect(try after.decode("t", as: String.self) == "")
            // The one connection is still a plain, idle connection: a new transaction works on it.
            let count = try await pool.withTenant(UUID(), deadline: .after(.seconds(10))) { session in
                try await session.query("SELECT count(*) AS n FROM audit_log")[0].decode("n", as: Int.self)
            }
            #expect(count == 0)
        }
    }
}
