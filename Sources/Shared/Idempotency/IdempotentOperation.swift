import Foundation

/// Idempotency (Stripe's semantics, as `IdempotentCreate`) for an operation that calls other
/// services before it writes, so it cannot hold one transaction open for its whole length
/// (planning through the agent-service). The key is claimed in a short transaction of its own
/// with a lease; the result is stored with the operation's own writes (`complete`), or the claim
/// is dropped when the operation fails (`abandon`), so a retry runs it again. While a claim's
/// lease runs, the same key is ABORTED with `Retry-After`; a claim whose request died is taken
/// over once its lease has passed.
public enum IdempotentOperation {
    /// What claiming a key found.
    public enum Claim: Sendable {
        /// The key is this request's: run the operation, then `complete` or `abandon`.
        case claimed
        /// An earlier request with this key and body finished: answer its stored response.
        case finished(status: Int, body: Data)
    }

    /// sha256 of the text that identifies a request (for a body-less call, its path).
    public static func hash(_ request: String) -> String {
        Digest.sha256Hex(Data(request.utf8))
    }

    /// Claims `key` until `deadline` (the request's: past it the request cannot still be running).
    public static func claim(
        pool: PostgresPool,
        tenant: UUID,
        operation: String,
        key: String,
        requestHash: String,
        leasedUntil deadline: Deadline
    ) async throws -> Claim {
        let leaseMilliseconds = max(1, deadline.remainingMilliseconds)
        return try await pool.withTenant(tenant) { session in
            // Serialises claims of one key without waiting: a concurrent claim is in progress.
            let locked = try await session.query("SELECT pg_try_advisory_xact_lock(\(IdempotentCreate.lockID(tenant: tenant, operation: operation, key: key))) AS locked")
            guard try locked[0].decode("locked", as: Bool.self) else { throw IdempotentCreate.inProgress(key) }
            let rows = try await session.query("""
                SELECT request_hash, response_status, response_body, lease_expires_at > clock_timestamp() AS leased
                FROM idempotency_keys WHERE operation = \(operation) AND key = \(key)
                """)
            guard let row = rows.first else {
                try await session.execute("""
                    INSERT INTO idempotency_keys (tenant_id, operation, key, request_hash, response_status, response_body, lease_expires_at)
                    VALUES (\(tenant), \(operation), \(key), \(requestHash), 0, '', clock_timestamp() + \(leaseMilliseconds) * interval '1 millisecond')
                    """)
                return .claimed
            }
            guard try row.decode("request_hash", as: String.self) == requestHash else { throw IdempotentCreate.reused(key) }
            let status: Int = try row.decode("response_status")
            if status > 0 { return .finished(status: status, body: Data(try row.decode("response_body", as: String.self).utf8)) }
            if try row.decode("leased", as: Bool?.self) == true { throw IdempotentCreate.inProgress(key) }
            // The request that claimed it died without finishing or abandoning: take it over.
            try await session.execute("""
                UPDATE idempotency_keys SET lease_expires_at = clock_timestamp() + \(leaseMilliseconds) * interval '1 millisecond'
                WHERE operation = \(operation) AND key = \(key)
                """)
            return .claimed
        }
    }

    /// Stores the response of a claimed key, in the transaction of the operation's own writes.
    public static func complete(operation: String, key: String, status: Int, body: Data, on session: PostgresSession) async throws {
        try await session.execute("""
            UPDATE idempotency_keys SET response_status = \(status), response_body = \(String(decoding: body, as: UTF8.self)), lease_expires_at = NULL
            WHERE operation = \(operation) AND key = \(key) AND response_status = 0
            """)
    }

    /// Drops the claim of a failed operation, so a retry with the same key runs it again.
    public static func abandon(pool: PostgresPool, tenant: UUID, operation: String, key: String) async {
        _ = try? await pool.withTenant(tenant, deadline: .after(.seconds(5))) { session in
            try await session.execute("DELETE FROM idempotency_keys WHERE operation = \(operation) AND key = \(key) AND response_status = 0")
        }
    }
}
