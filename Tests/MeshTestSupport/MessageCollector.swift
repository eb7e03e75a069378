import Foundation
import Shared

/// Reads a subscription's messages with a bound on time, so a missing message fails a test
/// instead of hanging it.
public enum MessageCollector {
    /// Collects messages until `count` arrived or `timeout` passed.
    public static func collect(_ subscription: RedisSubscription, count: Int, timeout: Duration = .seconds(10)) async -> [RedisMessage] {
        await collect(subscription, timeout: timeout) { $0.count >= count }
    }

    /// Collects messages until `isComplete` holds for those received or `timeout` passed; the
    /// subscription is closed afterwards.
    public static func collect(_ subscription: RedisSubscription, timeout: Duration, until isComplete: @escaping @Sendable ([RedisMessage]) -> Bool) async -> [RedisMessage] {
        await withTaskGroup(of: [RedisMessage]?.self) { group in
            group.addTask {
                var received: [RedisMessage] = []
                for await message in subscription.messages {
                    received.append(message)
                    if isComplete(received) { break }
                }
                return received
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            subscription.close()
            if let first { return first }
            // The timer fired: closing the subscription ended the reader with what it had.
            return await group.next().flatMap { $0 } ?? []
        }
    }
}
