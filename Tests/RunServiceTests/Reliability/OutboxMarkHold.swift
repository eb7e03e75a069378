import Foundation
import MeshTestSupport
import Shared

/// Holds a service's outbox relay between publishing an event and marking it published: a
/// trigger on the schema's `outbox`, made by the schema's owner, waits before a row of `channel`
/// is marked for an advisory lock that the test holds. While the lock is held, a relay that
/// published such a row cannot mark it (its batch transaction stays open), so the test can kill
/// the service exactly there. `remove()` drops the trigger; `close()` ends the hold's pool.
final class OutboxMarkHold: Sendable {
    private let pool: PostgresPool
    private let channel: String
    /// The advisory lock's key, and the names of the trigger and its function.
    private let key = Int64.random(in: 1...Int64(Int32.max))
    private var name: String { "reliability_hold_mark_\(key)" }

    /// A hold on the outbox of the schema `databaseURL`'s role owns (the schema owner's URL,
    /// `META_BUILDER_<KEY>_MIGRATION_DATABASE_URL`), for events on `channel`.
    init(databaseURL: String, channel: String) async throws {
        pool = PostgresPool(config: DatabaseConfig(url: databaseURL, poolSize: 2), applicationName: "reliability-outbox-hold", logger: RunTestDatabase.logger)
        self.channel = channel
        try await pool.query("""
            CREATE FUNCTION \(unsafeSQL: name)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_lock_shared(\(unsafeSQL: String(key)));
                PERFORM pg_advisory_unlock_shared(\(unsafeSQL: String(key)));
                RETURN NEW;
            END $$
            """, deadline: .after(.seconds(10)))
        try await pool.query("""
            CREATE TRIGGER \(unsafeSQL: name) BEFORE UPDATE OF published_at ON outbox FOR EACH ROW
            WHEN (OLD.published_at IS NULL AND OLD.channel = '\(unsafeSQL: channel)')
            EXECUTE FUNCTION \(unsafeSQL: name)()
            """, deadline: .after(.seconds(10)))
    }

    /// Runs `body` holding the lock: no row of the channel can be marked published meanwhile.
    func whileHeld<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await pool.withSession(deadline: nil) { session in
            try await session.query("SELECT pg_advisory_lock(\(key))")
            do {
                let result = try await body()
                try await session.query("SELECT pg_advisory_unlock(\(key))")
                return result
            } catch {
                _ = try? await session.query("SELECT pg_advisory_unlock(\(key))")
                throw error
            }
        }
    }

    /// Whether `tenant`'s events on the channel about run `run` are all marked published; nil
    /// when there is none.
    func published(tenant: UUID, run: String) async throws -> Bool? {
        let rows = try await pool.batch(tenant: tenant, deadline: .after(.seconds(10)), [
            "SELECT published_at IS NOT NULL AS published FROM outbox WHERE channel = \(channel) AND payload -> 'data' ->> 'run_id' = \(run)",
        ])[0]
        return rows.isEmpty ? nil : try rows.allSatisfy { try $0.decode("published", as: Bool.self) }
    }

    /// Drops the trigger and its function.
    func remove() async {
        _ = try? await pool.query("DROP TRIGGER IF EXISTS \(unsafeSQL: name) ON outbox", deadline: .after(.seconds(10)))
        _ = try? await pool.query("DROP FUNCTION IF EXISTS \(unsafeSQL: name)()", deadline: .after(.seconds(10)))
    }

    /// Closes the hold's connections.
    func close() {
        pool.close()
    }
}
