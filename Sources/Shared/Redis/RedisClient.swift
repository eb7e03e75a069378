import Foundation
import Logging
import Synchronization

/// Redis commands over a small set of connections, each owned by its own serial queue (blocking
/// hiredis calls never run on the event loop or the cooperative pool). A failed connection is
/// dropped and reopened on next use, so a Redis restart heals by itself.
///
/// Every command ends at its deadline (the request's, by default): the caller gets
/// DEADLINE_EXCEEDED then, even while its lane is still blocked on an earlier command, and a
/// command whose caller has given up is never sent. A lane whose connection failed (refused,
/// reset, or a command timed out: a Redis that accepts and never answers) backs off, from 250 ms
/// doubling to 4 s, failing its commands at once meanwhile, so a dead or black-holed Redis costs
/// callers (the rate limiter falls back) next to nothing.
public final class RedisClient: Sendable {
    private let config: RedisConfig
    private let lanes: [Lane]
    private let next = Atomic<Int>(0)
    private let logger: Logger

    /// One connection slot and the queue that owns it.
    ///
    /// `@unchecked Sendable`: `connection`, `retryAfter` and `failures` are only touched on `queue`.
    private final class Lane: @unchecked Sendable {
        let queue: DispatchQueue
        var connection: RedisConnection?
        var retryAfter: ContinuousClock.Instant?
        /// Connection failures in a row (0 after a success): the back-off doubles with each.
        var failures = 0

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

    /// Sends a command and returns its reply, by the request's deadline.
    @discardableResult
    public func command(_ arguments: String...) async throws -> RedisValue {
        try await command(arguments)
    }

    /// Sends a command given as an argument list; throws DEADLINE_EXCEEDED once `deadline`
    /// passes (nil: only the connection's own timeout bounds it).
    @discardableResult
    public func command(_ arguments: [String], deadline: Deadline? = RequestScope.current?.deadline) async throws -> RedisValue {
        try deadline?.check("waiting for redis")
        let lane = lanes[next.add(1, ordering: .relaxed).oldValue % lanes.count]
        let config = self.config
        let logger = self.logger
        let reply = OneShotReply<RedisValue>()
        return try await reply.value(by: deadline, while: "waiting for redis") {
            lane.queue.async {
                guard !reply.isSettled else { return }
                reply.finish(Result { try Self.run(arguments, on: lane, config: config, logger: logger) })
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
            } catch {
                backOff(lane)
                logger.warning("redis connect failed", metadata: ["error": "\(error)"])
                throw error
            }
        }
        do {
            let reply = try lane.connection!.command(arguments)
            lane.failures = 0
            lane.retryAfter = nil
            return reply
        } catch let error as RedisError where error.isConnectionError {
            lane.connection = nil
            // A connection that was closed while idle is retried at once (see `run`).
            if !error.isPeerClosed { backOff(lane) }
            throw error
        }
    }

    /// Keeps a failing lane from trying again for a while, so a dead or silent Redis is not
    /// waited on by every request: 250 ms, doubling with each failure in a row, at most 4 s.
    private static func backOff(_ lane: Lane) {
        lane.retryAfter = .now + .milliseconds(250 << min(lane.failures, 4))
        lane.failures += 1
    }
}
