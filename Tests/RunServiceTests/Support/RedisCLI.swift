import Foundation
import MeshTestSupport

/// `redis-cli` against the test Redis of `scripts/infra`: its address in the arguments, its
/// password in the environment (`REDISCLI_AUTH`), never on a command line.
enum RedisCLI {
    static let executable = "/usr/bin/redis-cli"

    /// The arguments that address the test Redis, followed by `arguments`.
    static func arguments(_ arguments: [String]) throws -> [String] {
        ["-h", "127.0.0.1", "-p", try RequiredEnvironment.value("META_BUILDER_REDIS_PORT")] + arguments
    }

    /// The environment that authenticates to it.
    static func environment() throws -> [String: String] {
        ["REDISCLI_AUTH": try RequiredEnvironment.value("META_BUILDER_REDIS_PASSWORD")]
    }

    /// Runs one command (`CLIENT LIST TYPE pubsub`); what it printed.
    static func output(_ arguments: [String]) throws -> String {
        try CommandOutput.run(executable, try Self.arguments(arguments), environment: try environment()).text
    }
}
