import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Publishes committed outbox rows to Redis and marks them published, in batches claimed with
/// `FOR UPDATE SKIP LOCKED` (several instances may relay at once without publishing a row twice).
/// A batch is marked in the same transaction that claimed it; on graceful shutdown the current
/// batch finishes first.
public struct OutboxRelay: Service {
    private let pool: PostgresPool
    private let redis: RedisClient
    private let logger: Logger
    private let pollInterval: Duration
    private let batchSize: Int
    private let published: Counter
    private let gate: StartupGate

    /// Creates a relay; it starts relaying once `gate` opens (after migrations).
    public init(pool: PostgresPool, redis: RedisClient, logger: Logger, metrics: MetricsRegistry, gate: StartupGate = .open, pollInterval: Duration = .milliseconds(100), batchSize: Int = 100) {
        self.pool = pool
        self.redis = redis
        self.logger = logger
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.gate = gate
        self.published = Counter(label: "meta_builder_outbox_published_total", factory: metrics.factory)
    }

    public func run() async throws {
        // Not cancelled on shutdown: a batch in flight finishes (publish + mark) before it stops.
        guard await gate.waitUntilOpen() else { return }
        await relayUntilShutdown()
    }

    private func relayUntilShutdown() async {
        var failures = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let count = try await relayBatch()
                failures = 0
                if count < batchSize { try? await Task.sleep(for: pollInterval) }
            } catch {
                failures += 1
                logger.warning("outbox relay batch failed", metadata: ["error": "\(error)", "failures": "\(failures)"])
                try? await Task.sleep(for: min(pollInterval * (1 << min(failures, 5)), .seconds(5)))
            }
        }
    }

    /// Publishes one batch; returns how many rows it published.
    @discardableResult
    public func relayBatch() async throws -> Int {
        try await pool.asWorker(deadline: .after(.seconds(30))) { session in
            let rows = try await session.query("""
                SELECT id, channel, payload::text AS payload FROM outbox
                WHERE published_at IS NULL
                ORDER BY created_at, id
                LIMIT \(batchSize)
                FOR UPDATE SKIP LOCKED
                """)
            var sent: [UUID] = []
            for row in rows {
                do {
                    try await redis.publish(try row.decode("payload"), to: try row.decode("channel"))
                    sent.append(try row.decode("id"))
                } catch {
                    // Stop at the first failure: mark what went out, retry the rest later.
                    if sent.isEmpty { throw error }
                    break
                }
            }
            if !sent.isEmpty {
                let ids = "{" + sent.map(\.postgresText).joined(separator: ",") + "}"
                try await session.execute("UPDATE outbox SET published_at = now() WHERE id = ANY(\(ids)::uuid[])")
                published.increment(by: sent.count)
            }
            return sent.count
        }
    }
}
