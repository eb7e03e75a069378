import Foundation
import Logging
import Synchronization

/// A message received on a subscribed channel.
public struct RedisMessage: Sendable, Equatable {
    /// The channel it was published to.
    public let channel: String
    /// The payload.
    public let payload: String
}

/// A SUBSCRIBE connection read by a dedicated thread. Messages arrive on `messages`. If Redis
/// restarts, the thread reconnects with backoff and subscribes again (pub/sub is at-most-once:
/// messages published while disconnected are lost, which the outbox + reconciliation cover).
/// `close()` interrupts the blocking read with `shutdown(2)` and ends the stream.
public final class RedisSubscription: Sendable {
    /// Received messages, in order; finishes after `close()`.
    public let messages: AsyncStream<RedisMessage>

    private let channels: [String]
    private let config: RedisConfig
    private let logger: Logger
    private let continuation: AsyncStream<RedisMessage>.Continuation
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    private struct State {
        var connection: RedisConnection?
        var stopping = false
        var subscribedOnce = false
        var readyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private init(channels: [String], config: RedisConfig, logger: Logger) {
        self.channels = channels
        self.config = config
        self.logger = logger
        (messages, continuation) = AsyncStream.makeStream(of: RedisMessage.self, bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Subscribes to the channels and returns once the first subscription is confirmed (or, when
    /// Redis is down, right away: the thread keeps trying in the background).
    public static func open(channels: [String], config: RedisConfig, logger: Logger) async -> RedisSubscription {
        let subscription = RedisSubscription(channels: channels, config: config, logger: logger)
        let thread = Thread { subscription.readLoop() }
        thread.name = "meta-builder.redis.subscriber"
        thread.start()
        await subscription.waitUntilSubscribedOrFailedOnce()
        return subscription
    }

    /// Stops the reader thread and finishes `messages`.
    public func close() {
        let connection = state.withLock { state -> RedisConnection? in
            state.stopping = true
            return state.connection
        }
        connection?.interrupt()
        wake.signal()
    }

    private func waitUntilSubscribedOrFailedOnce() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.subscribedOnce || state.stopping { return true }
                state.readyWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func markReady() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.subscribedOnce = true
            defer { state.readyWaiters = [] }
            return state.readyWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Runs on the dedicated thread: connect, subscribe, read until stopped.
    private func readLoop() {
        var backoffMilliseconds = 100
        while !state.withLock({ $0.stopping }) {
            do {
                let connection = try RedisConnection.connect(config, commandTimeoutMilliseconds: nil)
                let stopped = state.withLock { state -> Bool in
                    if state.stopping { return true }
                    state.connection = connection
                    return false
                }
                if stopped { break }
                try connection.send(["SUBSCRIBE"] + channels)
                backoffMilliseconds = 100
                try read(from: connection)
            } catch {
                if state.withLock({ $0.stopping }) { break }
                logger.warning("redis subscriber disconnected, reconnecting", metadata: ["error": "\(error)", "retry.ms": "\(backoffMilliseconds)"])
                markReady()
                _ = wake.wait(timeout: .now() + .milliseconds(backoffMilliseconds))
                backoffMilliseconds = min(backoffMilliseconds * 2, 2000)
            }
            state.withLock { $0.connection = nil }
        }
        markReady()
        continuation.finish()
    }

    private func read(from connection: RedisConnection) throws {
        var confirmed = 0
        while true {
            guard case .array(let parts) = try connection.readReply(), let kind = parts.first?.string else { continue }
            switch kind {
            case "subscribe":
                confirmed += 1
                if confirmed == channels.count { markReady() }
            case "message" where parts.count == 3:
                if let channel = parts[1].string, let payload = parts[2].string {
                    continuation.yield(RedisMessage(channel: channel, payload: payload))
                }
            default:
                continue
            }
        }
    }
}
