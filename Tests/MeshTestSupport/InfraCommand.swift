import Foundation

/// `scripts/infra` run from a test, to take Postgres or Redis down under the services' feet
/// (`restart-postgres`, `crash-postgres`, `restart-redis`, `stall-redis SECONDS`).
///
/// It runs behind a shell that first closes every descriptor above stderr. On Linux,
/// Foundation's `Process` learns that a child exited when a socket it passes to the child
/// closes; the Postgres and Redis daemons that `scripts/infra` starts would inherit that socket
/// and keep it open, and `waitUntilExit()` would never return
/// (swift-corelibs-foundation issue #4795). The daemons also inherit none of the test
/// process's connections this way.
public enum InfraCommand {
    /// Runs `scripts/infra <command> <arguments…>` (found through `META_BUILDER_INFRA`) and waits
    /// for it; throws when it fails.
    public static func run(_ command: String, _ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c",
            #"for fd in /proc/$$/fd/*; do fd="${fd##*/}"; if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi; done; exec "$0" "$@""#,
            try RequiredEnvironment.value("META_BUILDER_INFRA"),
            command,
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(command: ([command] + arguments).joined(separator: " "), status: process.terminationStatus)
        }
    }

    /// `scripts/infra` ended with a non-zero status.
    public struct Failed: Error, CustomStringConvertible {
        public let command: String
        public let status: Int32
        public var description: String { "scripts/infra \(command) exited with status \(status)" }
    }
}
