import Foundation
import MeshTestSupport
import Shared
import Synchronization
import Testing

/// The suites that use the shared test Redis. They run one test at a time because one of them
/// restarts Redis, which would break a neighbour's command mid-flight. Keys and channels are
/// still unique per test: other suites of the process may use Redis at the same time.
@Suite(.serialized) enum RedisBackedTests {}

extension RedisBackedTests {
    /// `RedisClient` and `RedisSubscription` against the real Redis: round trips, binary-safe
    /// arguments, error replies that keep the connection, ordered pub/sub delivery, `close()`;
    /// recovery of both after a Redis restart is the nested `RedisRestartTests`.
    @Suite struct RedisTests {
        let config: RedisConfig
        let redis: RedisClient

        init() throws {
            config = try TestEnvironment.redis()
            redis = RedisClient(config: config, logger: TestEnvironment.logger)
        }

        static func uniqueKey(_ purpose: String) -> String { "test:\(purpose):\(UUID().uuidString.lowercased())" }

        @Test func setThenGetRoundTrips() async throws {
            let key = Self.uniqueKey("roundtrip")
            #expect(try await redis.command("SET", key, "value-1", "PX", "60000") == .status("OK"))
            #expect(try await redis.command("GET", key) == .bulk(Data("value-1".utf8)))
            #expect(try await redis.command("DEL", key) == .integer(1))
            #expect(try await redis.command("GET", key) == .null)
            #expect(await redis.ping())
        }

        @Test func argumentsAreBinarySafe() async throws {
            let key = Self.uniqueKey("binary key with spaces\r\nand a newline")
            let value = "two words\r\n*3\r\n$3\r\nSET\r\n\0 ünïcödé 🚀 \"quoted\" %s %d"
            #expect(try await redis.command("SET", key, value, "PX", "60000") == .status("OK"))
            #expect(try await redis.command("GET", key) == .bulk(Data(value.utf8)))
            // Stored byte for byte: the length is the UTF-8 length, NUL and CRLF included.
            #expect(try await redis.command("STRLEN", key) == .integer(value.utf8.count))
            #expect(try await redis.command("GET", key).string == value)

            let empty = Self.uniqueKey("empty")
            #expect(try await redis.command("SET", empty, "", "PX", "60000") == .status("OK"))
            #expect(try await redis.command("GET", empty) == .bulk(Data()))
            try await redis.command("DEL", key, empty)
        }

        @Test func errorReplyIsNotAConnectionErrorAndKeepsTheConnection() async throws {
            // One connection, so the commands after the error run on the same hiredis context.
            let single = RedisClient(config: try TestEnvironment.redis(poolSize: 1), logger: TestEnvironment.logger)
            let key = Self.uniqueKey("not-an-integer")
            try await single.command("SET", key, "abc", "PX", "60000")

            let error = await #expect(throws: RedisError.self) { try await single.command("INCR", key) }
            #expect(error?.isConnectionError == false)
            #expect(error?.message.contains("not an integer") == true, "message was: \(error?.message ?? "none")")
            #expect(error?.wireError.code == .internal)

            let unknown = await #expect(throws: RedisError.self) { try await single.command("NO-SUCH-COMMAND", "x") }
            #expect(unknown?.isConnectionError == false)

            #expect(try await single.command("GET", key) == .bulk(Data("abc".utf8)))
            #expect(try await single.command("INCRBY", Self.uniqueKey("counter"), "5") == .integer(5))
        }

        @Test func subscriptionDeliversMessagesInOrder() async throws {
            let channel = Self.uniqueKey("channel")
            let subscription = await RedisSubscription.open(channels: [channel], config: config, logger: TestEnvironment.logger)
            defer { subscription.close() }
            let inbox = SubscriptionInbox()
            async let draining: Void = inbox.drain(subscription)

            let count = 50
            for index in 0..<count {
                // `open` returned after the subscription was confirmed: every message has a receiver.
                #expect(try await redis.publish("message \(index)\n\u{00e9}", to: channel) == 1)
            }
            #expect(await inbox.wait { $0.count >= count }, "received \(inbox.messages.count) of \(count)")
            let messages = inbox.messages
            #expect(messages.map(\.payload) == (0..<count).map { "message \($0)\n\u{00e9}" })
            #expect(messages.allSatisfy { $0.channel == channel })

            subscription.close()
            await draining
        }

        @Test func subscriptionToSeveralChannelsNamesTheChannel() async throws {
            let first = Self.uniqueKey("first")
            let second = Self.uniqueKey("second")
            let subscription = await RedisSubscription.open(channels: [first, second], config: config, logger: TestEnvironment.logger)
            defer { subscription.close() }
            let inbox = SubscriptionInbox()
            async let draining: Void = inbox.drain(subscription)

            #expect(try await redis.publish("to first", to: first) == 1)
            #expect(try await redis.publish("to second", to: second) == 1)
            #expect(try await redis.publish("to nobody", to: Self.uniqueKey("other")) == 0)
            #expect(try await redis.publish("first again", to: first) == 1)
            #expect(await inbox.wait { $0.count >= 3 })
            #expect(inbox.messages.map { [$0.channel, $0.payload] } == [
                [first, "to first"],
                [second, "to second"],
                [first, "first again"],
            ])

            subscription.close()
            await draining
        }

        @Test func closeFinishesTheStreamAndUnsubscribes() async throws {
            let channel = Self.uniqueKey("close")
            let subscription = await RedisSubscription.open(channels: [channel], config: config, logger: TestEnvironment.logger)
            defer { subscription.close() }
            let inbox = SubscriptionInbox()
            async let draining: Void = inbox.drain(subscription)

            #expect(try await redis.publish("before close", to: channel) == 1)
            #expect(await inbox.wait { $0.count == 1 })

            subscription.close()
            // The `for await` loop over `messages` ends.
            #expect(await inbox.waitUntilFinished(), "the message stream did not finish after close()")
            await draining
            // The subscriber connection is gone: Redis counts no subscriber on the channel.
            let unsubscribed = await eventually {
                try await redis.command("PUBSUB", "NUMSUB", channel) == .array([.bulk(Data(channel.utf8)), .integer(0)])
            }
            #expect(unsubscribed)
            #expect(try await redis.publish("after close", to: channel) == 0)
            #expect(inbox.messages.map(\.payload) == ["before close"])
        }

        @Test func closeBeforeAnyMessageFinishesAnIdleStream() async throws {
            let subscription = await RedisSubscription.open(channels: [Self.uniqueKey("idle")], config: config, logger: TestEnvironment.logger)
            let inbox = SubscriptionInbox()
            async let draining: Void = inbox.drain(subscription)
            subscription.close()
            #expect(await inbox.waitUntilFinished())
            await draining
            #expect(inbox.messages.isEmpty)
        }
    }
}

extension RedisBackedTests.RedisTests {
    /// Recovery after `scripts/infra restart-redis`: the client's connections and a subscription
    /// opened before the restart both work again afterwards. Named `*RestartTests` so that
    /// `scripts/test` runs it in its own pass, apart from the suites it would disturb; within this
    /// file's serialized parent it also never overlaps the other Redis tests.
    @Suite struct RedisRestartTests {
        @Test func clientAndSubscriberRecoverAfterRedisRestart() async throws {
            let config = try TestEnvironment.redis(poolSize: 2)
            let redis = RedisClient(config: config, logger: TestEnvironment.logger)
            let key = RedisBackedTests.RedisTests.uniqueKey("restart")
            let channel = RedisBackedTests.RedisTests.uniqueKey("restart-channel")
            let subscription = await RedisSubscription.open(channels: [channel], config: config, logger: TestEnvironment.logger)
            defer { subscription.close() }
            let inbox = SubscriptionInbox()
            async let draining: Void = inbox.drain(subscription)

            // Both connections of the client are open, and the subscription works.
            for _ in 0..<config.poolSize {
                try await redis.command("SET", key, "before restart", "PX", "60000")
            }
            #expect(try await redis.publish("before", to: channel) == 1)
            #expect(await inbox.wait { $0.map(\.payload) == ["before"] })

            try TestEnvironment.infra("restart-redis")

            // Commands succeed again: each stale connection may fail once, then reconnects.
            // Healed means every lane answered in a row.
            let needed = 2 * config.poolSize
            var consecutive = 0
            let giveUp = ContinuousClock.now + .seconds(10)
            while consecutive < needed, ContinuousClock.now < giveUp {
                do {
                    #expect(try await redis.command("PING") == .status("PONG"))
                    consecutive += 1
                } catch let error as RedisError {
                    #expect(error.isConnectionError, "unexpected error reply: \(error)")
                    consecutive = 0
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            #expect(consecutive >= needed, "the client did not recover within 10 s")
            // The new Redis keeps no data (started without persistence): this is a new server.
            #expect(try await redis.command("GET", key) == .null)

            // The subscription opened before the restart receives a message published after it.
            // Messages published while it reconnects are lost (at-most-once), so keep publishing.
            var published = 0
            let received = await eventually(within: .seconds(15), every: .milliseconds(100)) {
                if inbox.messages.contains(where: { $0.payload.hasPrefix("after-") }) { return true }
                _ = try? await redis.publish("after-\(published)", to: channel)
                published += 1
                return false
            }
            #expect(received, "no message reached the subscriber after the restart (\(published) published)")
            #expect(inbox.messages.first?.payload == "before")
            #expect(inbox.messages.dropFirst().allSatisfy { $0.payload.hasPrefix("after-") && $0.channel == channel })

            subscription.close()
            await draining
        }
    }
}

/// Collects what a subscription delivers from one reader, so a test can wait for a condition
/// with a bound instead of blocking on the stream.
private final class SubscriptionInbox: Sendable {
    private struct State {
        var messages: [RedisMessage] = []
        var finished = false
    }

    private let state = Mutex(State())

    /// Everything received so far, in order.
    var messages: [RedisMessage] { state.withLock { $0.messages } }

    /// Reads the subscription until its stream finishes (or the reading task is cancelled).
    func drain(_ subscription: RedisSubscription) async {
        for await message in subscription.messages {
            state.withLock { $0.messages.append(message) }
        }
        state.withLock { $0.finished = true }
    }

    /// Waits until the received messages satisfy `condition`; false if they do not within `timeout`.
    func wait(timeout: Duration = .seconds(10), until condition: ([RedisMessage]) -> Bool) async -> Bool {
        await eventually(within: timeout) { condition(self.messages) }
    }

    /// Waits until the stream has finished; false if it does not within `timeout`.
    func waitUntilFinished(timeout: Duration = .seconds(5)) async -> Bool {
        await eventually(within: timeout) { self.state.withLock { $0.finished } }
    }
}
