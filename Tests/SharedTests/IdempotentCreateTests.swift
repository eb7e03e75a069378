import Foundation
import Synchronization
import Testing
@testable import Shared

/// Keyed creates on a real Postgres: admission (the rate limit, a Redis call) runs holding no
/// connection, a replay costs no admission, and a reused key with another body is refused.
@Suite struct IdempotentCreateTests {
    /// How many times requests were admitted.
    final class Admissions: Sendable {
        private let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .sequentiallyConsistent) }
        var count: Int { value.load(ordering: .sequentiallyConsistent) }
    }

    private func create(_ pool: PostgresPool, tenant: UUID, key: String?, body: String, admitted: Admissions,
                        admit: @escaping @Sendable () async throws -> Void = {}) async throws -> IdempotentCreate.Outcome {
        try await IdempotentCreate.run(
            pool: pool, tenant: tenant, operation: "test.create", key: key, requestHash: try IdempotentCreate.hash(.object(["body": .string(body)])),
            admit: {
                admitted.add()
                try await admit()
                return ["X-Admitted": "yes"]
            }
        ) { session in
            let row = try await session.query("SELECT gen_random_uuid()::text AS id")[0]
            return Data(#"{"id":"\#(try row.decode("id", as: String.self))"}"#.utf8)
        }
    }

    @Test func admissionHoldsNoConnection() async throws {
        try await TestDatabase.withPool(poolSize: 1) { pool in
            let admitted = Admissions()
            for key in [nil, "k-\(UUID().lowercaseText)"] {
                // With the pool's only connection in a transaction, this query would wait out its deadline.
                let outcome = try await create(pool, tenant: UUID(), key: key, body: "a", admitted: admitted) {
                    _ = try await pool.query("SELECT 1 AS one", deadline: .after(.seconds(2)))
                }
                #expect(outcome.status == 201 && !outcome.replayed && outcome.headers["X-Admitted"] == "yes")
            }
            #expect(admitted.count == 2)
        }
    }

    @Test func aReplayIsNotAdmittedAndAReusedKeyIsRefused() async throws {
        try await TestDatabase.withPool { pool in
            let (tenant, key, admitted) = (UUID(), "k-\(UUID().lowercaseText)", Admissions())
            let first = try await create(pool, tenant: tenant, key: key, body: "a", admitted: admitted)
            let again = try await create(pool, tenant: tenant, key: key, body: "a", admitted: admitted)
            #expect(again.replayed && again.body == first.body && again.headers.isEmpty)
            #expect(admitted.count == 1, "a replay costs no quota")
            let reused = await #expect(throws: WireError.self) { try await create(pool, tenant: tenant, key: key, body: "b", admitted: admitted) }
            #expect(reused?.code == .alreadyExists)
            #expect(admitted.count == 1)
            // The same key in another tenant is another request.
            let theirs = try await create(pool, tenant: UUID(), key: key, body: "a", admitted: admitted)
            #expect(!theirs.replayed && theirs.body != first.body)
        }
    }

    @Test func aRefusedAdmissionStoresNothing() async throws {
        try await TestDatabase.withPool { pool in
            let (tenant, key, admitted) = (UUID(), "k-\(UUID().lowercaseText)", Admissions())
            let limited = await #expect(throws: WireError.self) {
                try await create(pool, tenant: tenant, key: key, body: "a", admitted: admitted) { throw WireError(.resourceExhausted, "slow down", retryAfter: 3) }
            }
            #expect(limited?.code == .resourceExhausted)
            let later = try await create(pool, tenant: tenant, key: key, body: "a", admitted: admitted)
            #expect(!later.replayed && admitted.count == 2)
        }
    }
}
