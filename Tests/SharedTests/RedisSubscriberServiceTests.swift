import Foundation
import ServiceLifecycle
import Synchronization
import Testing
@testable import Shared

/// The subscriber as a long-running `Service`: it hands messages to its handler and stops when
/// the service group shuts down gracefully.
@Suite struct RedisSubscriberServiceTests {
    @Test func deliversToItsHandlerAndStopsOnGracefulShutdown() async throws {
        let config = try TestEnvironment.redis()
        let channel = "test.subscriber-service.\(UUID().uuidString)"
        let (received, sink) = AsyncStream.makeStream(of: String.self)
        let subscriber = RedisSubscriber(channels: [channel], config: config, logger: TestEnvironment.logger) { message in
            sink.yield(message.payload)
        }
        let group = ServiceGroup(configuration: .init(services: [subscriber], gracefulShutdownSignals: [], logger: TestEnvironment.logger))
        let running = Task { try await group.run() }
        let redis = RedisClient(config: config, logger: TestEnvironment.logger)
        // Publish until the subscription is up and the handler saw a message (bounded).
        let first = await withTaskGroup(of: String?.self) { tasks in
            tasks.addTask {
                for await payload in received { return payload }
                return nil
            }
            tasks.addTask {
                for attempt in 0..<100 {
                    _ = try? await redis.publish("hello-\(attempt)", to: channel)
                    try? await Task.sleep(for: .milliseconds(50))
                    if Task.isCancelled { break }
                }
                return nil
            }
            let value = await tasks.next() ?? nil
            tasks.cancelAll()
            return value
        }
        #expect(first?.hasPrefix("hello-") == true)
        await group.triggerGracefulShutdown()
        try await running.value
        // Once stopped, Redis sees no subscriber on the channel.
        let count = try await redis.command("PUBSUB", "NUMSUB", channel)
        guard case .array(let parts) = count, parts.count == 2 else { Issue.record("unexpected NUMSUB reply"); return }
        #expect(parts[1].integer == 0)
    }
}
