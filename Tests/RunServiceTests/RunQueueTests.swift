import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// The run queue on the real Postgres, as the run-service's own role (no BYPASSRLS) under FORCE
    /// row-level security: claims across tenants, exclusive claims, lease takeover, fencing.
    @Suite(.serialized) struct RunQueueTests {
        @Test func workersClaimRunsOfEveryTenantEachExactlyOnce() async throws {
            try await RunTestDatabase.withPool(poolSize: 6) { pool in
                try await RunTestDatabase.emptyQueue(pool)
                let queue = RunQueue(pool: pool, owner: "setup")
                var runs: [UUID: UUID] = [:]
                for _ in 0..<4 {
                    for tenant in [UUID(), UUID(), UUID()] {
                        runs[try await RunTestDatabase.queuedRun(tenant: tenant, on: pool)] = tenant
                    }
                }
                // Eight workers claim concurrently until the queue is empty.
                let claims = try await withThrowingTaskGroup(of: [RunClaim].self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            let queue = RunQueue(pool: pool, owner: "worker-\(worker)")
                            var mine: [RunClaim] = []
                            while let claim = try await queue.claim() { mine.append(claim) }
                            return mine
                        }
                    }
                    return try await group.reduce(into: [RunClaim]()) { $0 += $1 }
                }
                #expect(claims.count == runs.count)
                #expect(Set(claims.map(\.runID)) == Set(runs.keys))
                #expect(claims.allSatisfy { runs[$0.runID] == $0.tenantID && $0.fencing == 1 && $0.claims == 1 })
                #expect(try await queue.depth() == 0)
            }
        }

        @Test func aRunWhoseLeaseExpiredIsTakenOverAndTheOldWorkerCanWriteNothing() async throws {
            try await RunTestDatabase.withPool { pool in
                try await RunTestDatabase.emptyQueue(pool)
                let tenant = UUID()
                let first = RunQueue(pool: pool, owner: "first", leaseTTL: .milliseconds(400))
                let runID = try await RunTestDatabase.queuedRun(tenant: tenant, on: pool)
                let stale = try #require(try await first.claim())
                // While its lease holds, nobody else gets the run, and its fenced writes go through.
                let second = RunQueue(pool: pool, owner: "second")
                #expect(try await second.claim() == nil)
                try await Self.fencedWrite(stale, on: pool, iteration: 1)
                try await Task.sleep(for: .milliseconds(600))
                // The lease expired: the run is taken over with a higher fencing number.
                let fresh = try #require(try await second.claim())
                #expect(fresh.runID == runID && fresh.fencing == stale.fencing + 1 && fresh.claims == 2)
                // The paused worker wakes: it cannot renew, and its write is refused and rolled back.
                await #expect(throws: LostClaim.self) { try await first.renew(stale) }
                await #expect(throws: LostClaim.self) { try await Self.fencedWrite(stale, on: pool, iteration: 2) }
                try await Self.fencedWrite(fresh, on: pool, iteration: 2)
                let steps = try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                    try await session.query("SELECT iteration, fencing FROM run_steps WHERE run_id = \(runID) ORDER BY iteration")
                        .map { (try $0.decode("iteration", as: Int.self), try $0.decode("fencing", as: Int64.self)) }
                }
                #expect(steps.map(\.0) == [1, 2])
                #expect(steps.map(\.1) == [stale.fencing, fresh.fencing])
            }
        }

        @Test func aReleasedRunIsClaimableAtOnceAndARemovedOneIsGone() async throws {
            try await RunTestDatabase.withPool { pool in
                try await RunTestDatabase.emptyQueue(pool)
                let tenant = UUID()
                let queue = RunQueue(pool: pool, owner: "worker")
                let runID = try await RunTestDatabase.queuedRun(tenant: tenant, on: pool)
                #expect(try await queue.depth() == 1)
                let claim = try #require(try await queue.claim())
                #expect(try await queue.depth() == 0)
                try await queue.renew(claim)
                try await queue.release(claim)
                let again = try #require(try await queue.claim())
                #expect(again.runID == runID && again.fencing == claim.fencing + 1)
                // Ending the run takes it off the queue, in the run's own (fenced) transaction.
                try await pool.withTenant(tenant, deadline: .after(.seconds(30))) { session in
                    try await RunQueue.fence(again, on: session)
                    try await session.execute("UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = \(runID)")
                    try await RunQueue.remove(again, on: session)
                }
                #expect(try await queue.claim() == nil)
                #expect(try await queue.depth() == 0)
            }
        }

        @Test func anotherTenantsRunsAreInvisibleToTheRunsTenantTransactions() async throws {
            try await RunTestDatabase.withPool { pool in
                let queue = RunQueue(pool: pool, owner: "setup")
                let (tenantA, tenantB) = (UUID(), UUID())
                let runA = try await RunTestDatabase.queuedRun(tenant: tenantA, on: pool)
                let seenByB = try await pool.batch(tenant: tenantB, deadline: .after(.seconds(30)), ["SELECT id FROM runs WHERE id = \(runA)"])
                #expect(seenByB[0].isEmpty)
                // Writing a step of A's run from B's transaction is refused by the policy.
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.withTenant(tenantB, deadline: .after(.seconds(30))) { session in
                        try await session.execute("""
                            INSERT INTO run_steps (id, tenant_id, run_id, iteration, role, step_key, status, fencing)
                            VALUES (\(UUID()), \(tenantA), \(runA), 1, 'codegen', \("x-\(UUID())"), 'running', 1)
                            """)
                    }
                }
                #expect(error?.sqlState == "42501")
            }
        }

        /// A step row written as a worker of `claim` writes it: fenced first.
        static func fencedWrite(_ claim: RunClaim, on pool: PostgresPool, iteration: Int) async throws {
            try await pool.withTenant(claim.tenantID, deadline: .after(.seconds(30))) { session in
                try await RunQueue.fence(claim, on: session)
                try await session.execute("""
                    INSERT INTO run_steps (id, tenant_id, run_id, iteration, role, step_key, status, fencing)
                    VALUES (\(UUID()), \(claim.tenantID), \(claim.runID), \(iteration), 'codegen', \("run:\(claim.runID.lowercaseText):\(iteration):codegen"), 'running', \(claim.fencing))
                    """)
            }
        }
    }
}
