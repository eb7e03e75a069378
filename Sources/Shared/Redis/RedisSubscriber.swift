import Logging
import ServiceLifecycle

/// A `Service` that keeps a subscription open for the life of the process and hands each
/// message to a handler; it stops cleanly on graceful shutdown.
public struct RedisSubscriber: Service {
    private let channels: [String]
    private let config: RedisConfig
    private let logger: Logger
    private let handler: @Sendable (RedisMessage) async -> Void

    /// Creates the subscriber.
    public init(channels: [String], config: RedisConfig, logger: Logger, handler: @escaping @Sendable (RedisMessage) async -> Void) {
        self.channels = channels
        self.config = config
        self.logger = logger
        self.handler = handler
    }

    public func run() async throws {
        let subscription = await RedisSubscription.open(channels: channels, config: config, logger: logger)
        try await withGracefulShutdownHandler {
            for await message in subscription.messages {
                await handler(message)
            }
        } onGracefulShutdown: {
            subscription.close()
        }
    }
}
