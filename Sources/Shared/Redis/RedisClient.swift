import Foundation
import Logging
import Synchronization

/// Redis commands over a small set of connections, each owned by its own serial queue (blocking
/// hiredis calls never run on the event loop or the cooperative pool). A failed connection is
/// dropped and reopened on next use, so a Redis restart heals by itself.
public final class RedisClient: Sendable {
    private let config: RedisConfig
    private let lanes: [Lane]
    private let next = Atomic<Int>(0)
    private let logger: Logger

    /// One connection slot and the queue that owns it.
    ///
    /// `@unchecked Sendable`: `connection` and `retryAfter` are only touched on `queue`.
    private final class Lane: @unchecked Sendable {
        let queue: DispatchQueue
        var connection: RedisConnection?
        var retryAfter: ContinuousClock.Instant?

        init(index: Int) {
            queue = DispatchQueue(label: "meta-builder.redis.\(index)")
        }
    }

    /// Creates the client; connections open on first use.
    public init(config: RedisConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        self.lanes = (0..<config.poolSize).map(Lane.init(index:))
    }

    /// Sends a command and returns its reply.
    @discardableResult
    public func command(_ arguments: String...) async throws -> RedisValue {
        try await command(arguments)
    }

    /// Sends a command given as an argument list.
    @discardableResult
    public func command(_ arguments: [String]) async throws -> RedisValue {
        let lane = lanes[next.add(1, ordering: .relaxed).oldValue % lanes.count]
        let config = self.config
        let logger = self.logger
        return try await withCheckedThrowingContinuation { continuation in
            lane.queue.async {
                continuation.resume(with: Result { try Self.run(arguments, on: lane, config: config, logger: logger) })
            }
        }
    }

    /// Publishes a message; returns the number of subscribers that received it.
    @discardableResult
    public func publish(_ message: String, to channel: String) async throws -> Int {
        try await command("PUBLISH", channel, message).integer ?? 0
    }

    /// True when Redis answers PING.
    public func ping() async -> Bool {
        (try? await command("PING"))?.string == "PONG"
    }

    private static func run(_ arguments: [String], on lane: Lane, config: RedisConfig, logger: Logger) throws -> RedisValue {
        let reused = lane.connection != nil
        do {
            return try runOnce(arguments, on: lane, config: config, logger: logger)
        } catch let error as RedisError where reused && error.isPeerClosed {
            // A pooled connection that died while idle (e.g. Redis restarted) fails on its first
            // use with a closed socket, before the command could run; one retry on a fresh
            // connection hides that. Timeouts are not retried: the command may have run.
            return try runOnce(arguments, on: lane, config: config, logger: logger)
        }
    }

    private static func runOnce(_ arguments: [String], on lane: Lane, config: RedisConfig, logger: Logger) throws -> RedisValue {
        if lane.connection == nil {
            if let retryAfter = lane.retryAfter, retryAfter > .now {
                throw RedisError(isConnectionError: true, "redis unreachable, reconnect pending")
            }
            do {
                lane.connection = try RedisConnection.connect(config, commandTimeoutMilliseconds: config.timeoutMilliseconds)
                lane.retryAfter = nil
            } catch {
                // Back off briefly so a dead Redis is not hammered by every request.
                lane.retryAfter = .now + .milliseconds(250)
                logger.warning("redis connect failed", metadata: ["error": "\(error)"])
                throw error
            }
        }
        do {
            return try lane.connection!.command(arguments)
        } catch let error as RedisError where error.isConnectionError {
            lane.connection = nil
            throw error
        }
    }
}
