import Crypto
import Foundation

/// Stripe-style idempotency for creates whose work is a single database transaction: the key is
/// claimed by inserting its row in the same transaction as the work, so every request after the
/// first replays the stored response. A request whose key another transaction is still working
/// on is ABORTED with `Retry-After` (it never waits on, or holds, a connection for the other one).
/// The same key with a different body is ALREADY_EXISTS. Failed requests store nothing. A replay
/// is not admitted again: it costs no rate-limit quota.
public enum IdempotentCreate {
    /// What the request produced, or replayed.
    public struct Outcome: Sendable {
        /// The HTTP status to answer.
        public let status: Int
        /// The JSON body.
        public let body: Data
        /// True when this is the stored response of an earlier request.
        public let replayed: Bool
        /// Headers from admitting the request (rate-limit headers); empty on a replay.
        public let headers: [String: String]
    }

    /// Validates an `Idempotency-Key` header value.
    public static func validate(key: String?) throws -> String? {
        guard let key else { return nil }
        let trimmed = key.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 255, trimmed.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw WireError.invalidArgument(field: "Idempotency-Key", "must be 1-255 visible ASCII characters")
        }
        return trimmed
    }

    /// sha256 of the request body in canonical form (keys sorted, no insignificant whitespace), so
    /// the same JSON written differently is the same request.
    public static func hash(_ body: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Digest.sha256Hex(try encoder.encode(body))
    }

    /// Runs `work` once per key inside a tenant transaction, storing its response with the key.
    /// `admit` runs first whenever the work is about to run (not on a replay): it may refuse the
    /// request (a rate limit), and the headers it returns go with the response. It runs before the
    /// transaction, holding no connection, so a slow or black-holed Redis behind it never holds
    /// the pool: a key whose response is stored is replayed first, without admission (a retry that
    /// races the first request to the end of its transaction may be admitted, then replayed).
    public static func run(
        pool: PostgresPool,
        tenant: UUID,
        operation: String,
        key: String?,
        requestHash: String,
        status: Int = 201,
        admit: @escaping @Sendable () async throws -> [String: String] = { [:] },
        _ work: @escaping @Sendable (PostgresSession) async throws -> Data
    ) async throws -> Outcome {
        if let key, let stored = try await storedResponse(pool: pool, tenant: tenant, operation: operation, key: key, requestHash: requestHash) {
            return stored
        }
        let headers = try await admit()
        return try await pool.withTenant(tenant) { session in
            guard let key else {
                return Outcome(status: status, body: try await work(session), replayed: false, headers: headers)
            }
            // One round trip: the advisory lock (held to the end of this transaction; while another
            // holds it, the key is in progress), the claim of the key, and the stored response of
            // an earlier request with the key (from before this statement: NULL when just claimed).
            let rows = try await session.query("""
                WITH lock AS (SELECT pg_try_advisory_xact_lock(\(lockID(tenant: tenant, operation: operation, key: key))) AS locked),
                claim AS (
                    INSERT INTO idempotency_keys (tenant_id, operation, key, request_hash, response_status, response_body)
                    SELECT \(tenant)::uuid, \(operation), \(key), \(requestHash), 0, '' FROM lock WHERE locked
                    ON CONFLICT (tenant_id, operation, key) DO NOTHING
                    RETURNING 1
                )
                SELECT lock.locked, EXISTS (SELECT 1 FROM claim) AS claimed, stored.request_hash, stored.response_status, stored.response_body
                FROM lock LEFT JOIN idempotency_keys stored ON lock.locked AND stored.operation = \(operation) AND stored.key = \(key)
                """)
            let row = rows[0]
            guard try row.decode("locked", as: Bool.self) else { throw inProgress(key) }
            if try !row.decode("claimed", as: Bool.self) {
                // Claimed by a transaction that committed after this statement's snapshot: still settling.
                guard let storedHash = try row.decode("request_hash", as: String?.self) else { throw inProgress(key) }
                guard storedHash == requestHash else { throw reused(key) }
                return Outcome(status: try row.decode("response_status"), body: Data(try row.decode("response_body", as: String.self).utf8), replayed: true, headers: [:])
            }
            let body = try await work(session)
            try await session.executeDeferred("""
                UPDATE idempotency_keys SET response_status = \(status), response_body = \(String(decoding: body, as: UTF8.self))
                WHERE operation = \(operation) AND key = \(key)
                """)
            return Outcome(status: status, body: body, replayed: false, headers: headers)
        }
    }

    /// The stored response of an earlier request with the key (ALREADY_EXISTS when that request
    /// was a different one), or nil when none has been stored.
    private static func storedResponse(pool: PostgresPool, tenant: UUID, operation: String, key: String, requestHash: String) async throws -> Outcome? {
        let rows = try await pool.withTenant(tenant) { session in
            try await session.query("""
                SELECT request_hash, response_status, response_body FROM idempotency_keys
                WHERE operation = \(operation) AND key = \(key) AND response_status > 0
                """)
        }
        guard let row = rows.first else { return nil }
        guard try row.decode("request_hash", as: String.self) == requestHash else { throw reused(key) }
        return Outcome(status: try row.decode("response_status"), body: Data(try row.decode("response_body", as: String.self).utf8), replayed: true, headers: [:])
    }

    /// ABORTED with `Retry-After`: another request with the key is still running.
    static func inProgress(_ key: String) -> WireError {
        WireError(.aborted, "a request with Idempotency-Key '\(key)' is still in progress; retry", retryAfter: 1)
    }

    /// ALREADY_EXISTS: the key was used with a different request.
    static func reused(_ key: String) -> WireError {
        WireError(.alreadyExists, "Idempotency-Key '\(key)' was already used with a different request")
    }

    /// The advisory-lock number of one key: the first 8 bytes of sha256(tenant, operation, key).
    /// A collision only makes an unrelated request retry.
    static func lockID(tenant: UUID, operation: String, key: String) -> Int64 {
        let digest = SHA256.hash(data: Data("\(tenant.uuidString)\u{0}\(operation)\u{0}\(key)".utf8))
        return digest.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }
}
