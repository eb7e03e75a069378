import Foundation
import MeshTestSupport
import Shared
import Testing

/// `RedisClient` against a Redis that takes connections and never answers (`SilentPort`): every
/// command ends at its caller's deadline, also one queued behind a command its lane is still
/// blocked on, and a lane whose command timed out fails the next ones at once while it backs off.
@Suite struct RedisDeadlineTests {
    static func hanging(_ silent: SilentPort, timeoutMilliseconds: Int) -> RedisClient {
        RedisClient(config: RedisConfig(host: "127.0.0.1", port: silent.port, poolSize: 1, timeoutMilliseconds: timeoutMilliseconds), logger: TestEnvironment.logger)
    }

    @Test func commandsEndAtTheirDeadlinesWhileTheLaneIsBlocked() async throws {
        let silent = try SilentPort()
        let redis = Self.hanging(silent, timeoutMilliseconds: 30_000)
        let started = ContinuousClock.now
        // One lane: the second command waits behind the first, which blocks for 30 s.
        let codes = await withTaskGroup(of: StatusCode?.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do {
                        _ = try await redis.command(["PING"], deadline: .after(.milliseconds(300)))
                        return nil
                    } catch {
                        return (error as? WireError)?.code
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(codes == [.deadlineExceeded, .deadlineExceeded])
        #expect(ContinuousClock.now - started < .seconds(15), "both ended at their 300 ms deadline, not at the 30 s timeout")
        let expired = await #expect(throws: WireError.self) { try await redis.command(["PING"], deadline: .after(.zero)) }
        #expect(expired?.code == .deadlineExceeded, "an expired deadline sends nothing")
    }

    @Test func aLaneWhoseCommandTimedOutFailsTheNextOnesAtOnce() async throws {
        let silent = try SilentPort()
        let redis = Self.hanging(silent, timeoutMilliseconds: 200)
        // Each timeout doubles the lane's back-off (250 ms, 500 ms, 1 s, 2 s, then 4 s).
        var errors: [RedisError] = []
        for _ in 0..<6 {
            do {
                _ = try await redis.command(["PING"], deadline: nil)
            } catch let error as RedisError {
                errors.append(error)
            }
        }
        #expect(errors.count == 6)
        #expect(errors.first?.message.contains("reconnect pending") == false, "the first command reached the silent server and timed out")
        let pending = errors.dropFirst().filter { $0.message.contains("reconnect pending") }
        #expect(!pending.isEmpty, "\(errors.map(\.message))")
        #expect(pending.allSatisfy { $0.isConnectionError && $0.wireError.code == .unavailable })
    }
}
