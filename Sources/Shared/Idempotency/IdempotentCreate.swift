import Crypto
import Foundation

/// Stripe-style idempotency for creates whose work is a single database transaction: the key is
/// claimed by inserting its row in the same transaction as the work, so concurrent requests with
/// one key serialise on that row and every one after the first replays the stored response.
/// The same key with a different body is ALREADY_EXISTS. Failed requests store nothing.
public enum IdempotentCreate {
    /// What the request produced, or replayed.
    public struct Outcome: Sendable {
        /// The HTTP status to answer.
        public let status: Int
        /// The JSON body.
        public let body: Data
        /// True when this is the stored response of an earlier request.
        public let replayed: Bool
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

    /// sha256 of a canonical request body.
    public static func hash(_ body: Data) -> String {
        SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }

    /// Runs `work` once per key inside a tenant transaction, storing its response with the key.
    public static func run(
        pool: PostgresPool,
        tenant: UUID,
        operation: String,
        key: String?,
        requestHash: String,
        status: Int = 201,
        _ work: @escaping @Sendable (PostgresSession) async throws -> Data
    ) async throws -> Outcome {
        try await pool.withTenant(tenant) { session in
            guard let key else {
                return Outcome(status: status, body: try await work(session), replayed: false)
            }
            // Blocks while another transaction holds the same key, then sees its committed row.
            let claimed = try await session.execute("""
                INSERT INTO idempotency_keys (tenant_id, operation, key, request_hash, response_status, response_body)
                VALUES (\(tenant), \(operation), \(key), \(requestHash), 0, '')
                ON CONFLICT (tenant_id, operation, key) DO NOTHING
                """)
            if claimed == 0 {
                let rows = try await session.query("""
                    SELECT request_hash, response_status, response_body FROM idempotency_keys
                    WHERE operation = \(operation) AND key = \(key)
                    """)
                guard let row = rows.first else { throw WireError(.aborted, "idempotency key is being used, retry", retryAfter: 1) }
                guard try row.decode("request_hash", as: String.self) == requestHash else {
                    throw WireError(.alreadyExists, "Idempotency-Key '\(key)' was already used with a different request")
                }
                return Outcome(status: try row.decode("response_status"), body: Data(try row.decode("response_body", as: String.self).utf8), replayed: true)
            }
            let body = try await work(session)
            try await session.execute("""
                UPDATE idempotency_keys SET response_status = \(status), response_body = \(String(decoding: body, as: UTF8.self))
                WHERE operation = \(operation) AND key = \(key)
                """)
            return Outcome(status: status, body: body, replayed: false)
        }
    }
}
