import ArgumentParser
import Foundation
import Shared

/// `mbctl`: the Meta-Builder command line over the public API (docs/mbctl.md).
@main
struct MBCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbctl",
        abstract: "Meta-Builder from the command line: specs, plans, runs, approvals, the audit trail and analytics.",
        discussion: """
            Configuration: flags, then the environment (META_BUILDER_URL or per service \
            META_BUILDER_SPEC_URL, META_BUILDER_RUN_URL, META_BUILDER_APPROVAL_URL; META_BUILDER_TOKEN), \
            then the config file ($MBCTL_CONFIG or ~/.config/mbctl/config.json).

            Exit codes: 0 success, 1 the API answered an error, 2 the run failed, 3 the run was \
            rejected, 4 the run was cancelled, 5 an artifact's sha256 did not match, 6 the run is \
            paused at a cap (awaiting_budget), 64 usage error, 69 a service unreachable or UNAVAILABLE.
            """,
        subcommands: [
            SpecCommand.self, PlanCommand.self, RunCommand.self, ApprovalsCommand.self,
            ApproveCommand.self, RejectCommand.self, AuditCommand.self, AnalyticsCommand.self, BudgetCommand.self, TokenCommand.self,
        ]
    )

    /// Parses the command line and runs the command; failures print `error: …` on standard
    /// error and exit with their `ExitStatus`.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        CurlGlobal.initialize()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            let prefix = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil ? "\u{1B}[31merror:\u{1B}[0m" : "error:"
            FileHandle.standardError.write(Data("\(prefix) \(failure.message)\n".utf8))
            Foundation.exit(failure.status.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
