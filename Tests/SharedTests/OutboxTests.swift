import Foundation
import MeshTestSupport
import ServiceLifecycle
import Testing
@testable import Shared

/// Events written with their transaction reach Redis through the relay, exactly when committed.
@Suite struct OutboxTests {
    private func event(type: String, tenant: UUID = UUID(), index: Int = 0) -> CloudEvent {
        CloudEvent(source: "/meta-builder/test", type: type, subject: "things/\(index)", tenantID: tenant, data: .object(["index": .number(Double(index))]))
    }

    private func relay(_ pool: PostgresPool, redis: RedisClient) -> OutboxRelay {
        OutboxRelay(pool: pool, redis: redis, logger: TestEnvironment.logger, metrics: MetricsRegistry(), pollInterval: .milliseconds(20), batchSize: 7)
    }

    @Test func committedEventReachesASubscriber() async throws {
        try await TestDatabase.withPool { pool in
            let redis = RedisClient(config: try TestEnvironment.redis(), logger: TestEnvironment.logger)
            let type = "test.committed.\(UUID().uuidString)"
            let subscription = await RedisSubscription.open(channels: [CloudEvent.channel(for: type)], config: try TestEnvironment.redis(), logger: TestEnvironment.logger)
            let tenant = UUID()
            let sent = event(type: type, tenant: tenant)
            try await pool.withTenant(tenant) { session in try await Outbox.enqueue(sent, on: session) }
            try await relay(pool, redis: redis).relayBatchesUntilEmpty()
            let messages = await MessageCollector.collect(subscription, count: 1)
            #expect(messages.count == 1)
            let received = try CloudEvent.decode(try #require(messages.first).payload)
            #expect(received.id == sent.id)
            #expect(received.type == type)
            #expect(received.specversion == "1.0")
            #expect(received.tenantid == sent.tenantid)
        }
    }

    /// Row-level security on the outbox: a tenant's transaction sees and writes only its own
    /// events, the relay's background work sees every tenant's, and a transaction with neither
    /// setting sees and writes nothing.
    @Test func aTenantSeesItsOwnEventsAndTheRelayEveryTenants() async throws {
        try await TestDatabase.withPool { pool in
            let type = "test.scoped.\(UUID().uuidString)"
            let (first, second) = (UUID(), UUID())
            for tenant in [first, second] {
                try await pool.withTenant(tenant) { try await Outbox.enqueue(event(type: type, tenant: tenant), on: $0) }
            }
            let select: SQL = "SELECT tenant_id FROM outbox WHERE event_type = \(type)"
            #expect(try await pool.query(select).isEmpty, "no setting: no rows")
            #expect(try await pool.batch(tenant: first, [select])[0].map { try $0.decode("tenant_id", as: UUID.self) } == [first])
            #expect(Set(try await pool.work(select).map { try $0.decode("tenant_id", as: UUID.self) }) == [first, second])
            await #expect(throws: PostgresError.self, "a tenant cannot write another tenant's event") {
                try await pool.withTenant(first) { try await Outbox.enqueue(event(type: type, tenant: second), on: $0) }
            }
            await #expect(throws: PostgresError.self, "nor can a transaction with no setting") {
                try await pool.transaction { try await Outbox.enqueue(event(type: type, tenant: first), on: $0) }
            }
            #expect(try await pool.work(select).count == 2)
        }
    }

    @Test func rolledBackTransactionPublishesNothing() async throws {
        try await TestDatabase.withPool { pool in
            let redis = RedisClient(config: try TestEnvironment.redis(), logger: TestEnvironment.logger)
            let type = "test.rolledback.\(UUID().uuidString)"
            let subscription = await RedisSubscription.open(channels: [CloudEvent.channel(for: type)], config: try TestEnvironment.redis(), logger: TestEnvironment.logger)
            struct Abort: Error {}
            let tenant = UUID()
            await #expect(throws: Abort.self) {
                try await pool.withTenant(tenant) { session in
                    try await Outbox.enqueue(event(type: type, tenant: tenant), on: session)
                    throw Abort()
                }
            }
            try await relay(pool, redis: redis).relayBatchesUntilEmpty()
            #expect(try await pool.work("SELECT 1 FROM outbox WHERE event_type = \(type)").isEmpty)
            let messages = await MessageCollector.collect(subscription, count: 1, timeout: .milliseconds(500))
            #expect(messages.isEmpty)
        }
    }

    @Test func relayRestartPublishesEachEventOnce() async throws {
        try await TestDatabase.withPool { pool in
            let redis = RedisClient(config: try TestEnvironment.redis(), logger: TestEnvironment.logger)
            let type = "test.restart.\(UUID().uuidString)"
            let subscription = await RedisSubscription.open(channels: [CloudEvent.channel(for: type)], config: try TestEnvironment.redis(), logger: TestEnvironment.logger)
            let tenant = UUID()
            let events = (0..<30).map { event(type: type, tenant: tenant, index: $0) }
            try await pool.withTenant(tenant) { session in
                for event in events { try await Outbox.enqueue(event, on: session) }
            }
            // First relay: one batch (other tests' relays may take some rows too), then it stops.
            try await relay(pool, redis: redis).relayBatch()
            // A second relay instance, run as a service and shut down gracefully, then a third.
            for _ in 0..<2 {
                let group = ServiceGroup(services: [relay(pool, redis: redis)], logger: TestEnvironment.logger)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await Task.sleep(for: .milliseconds(60))
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
            try await relay(pool, redis: redis).relayBatchesUntilEmpty()
            let messages = await MessageCollector.collect(subscription, count: 30)
            let ids = try messages.map { try CloudEvent.decode($0.payload).id }
            #expect(ids.count == 30)
            #expect(Set(ids) == Set(events.map(\.id)))
            let unpublished = try await pool.work("SELECT count(*) AS n FROM outbox WHERE event_type = \(type) AND published_at IS NULL")
            #expect(try unpublished[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test func consumerHandlesEachEventOnce() async throws {
        try await TestDatabase.withPool { pool in
            let consumer = EventConsumer(pool: pool, name: "test-consumer-\(UUID().uuidString.prefix(8))")
            let delivered = event(type: "test.consumed")
            let first = try await consumer.handle(delivered) { _ in }
            let again = try await consumer.handle(delivered) { _ in Issue.record("a redelivered event must not run its handler") }
            #expect(first)
            #expect(!again)
            // A failing handler records nothing, so the event is handled when redelivered.
            let failing = event(type: "test.consumed")
            struct Fail: Error {}
            await #expect(throws: Fail.self) { try await consumer.handle(failing) { _ in throw Fail() } }
            #expect(try await consumer.handle(failing) { _ in })
        }
    }
}

extension OutboxRelay {
    /// Relays until a batch comes back empty (other tests' events may be relayed too).
    func relayBatchesUntilEmpty() async throws {
        while try await relayBatch() > 0 {}
    }
}
