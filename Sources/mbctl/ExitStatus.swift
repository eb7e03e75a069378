/// mbctl's exit codes (docs/mbctl.md, "Exit codes"): scripts tell a usage mistake, an error the
/// API answered, a run that did not succeed and an unreachable service apart.
enum ExitStatus: Int32, Sendable {
    /// The command did what it was asked (a run it waited for succeeded or waits for approval).
    case success = 0
    /// The API answered with an error (`{"error":{code,status,message,details}}`) other than
    /// UNAVAILABLE.
    case apiError = 1
    /// The run ended `failed`.
    case runFailed = 2
    /// The run ended `rejected`.
    case runRejected = 3
    /// The run ended `cancelled`.
    case runCancelled = 4
    /// A downloaded artifact's sha256 differs from the listing or the manifest.
    case verificationFailed = 5
    /// The run reached a cap and waits for a larger budget (`awaiting_budget`): `mbctl run
    /// extend` raises it, `mbctl run cancel` ends it.
    case runPaused = 6
    /// Bad flags or arguments, a missing or unreadable configuration or input file
    /// (swift-argument-parser's own code for usage errors, EX_USAGE).
    case usage = 64
    /// The service could not be reached, did not answer in time, or answered UNAVAILABLE (503,
    /// e.g. the gateway for a service that is down) (EX_UNAVAILABLE).
    case unreachable = 69

    /// The exit status a run's final state stands for.
    static func of(runStatus status: String) -> ExitStatus {
        switch status {
        case "failed": .runFailed
        case "rejected": .runRejected
        case "cancelled": .runCancelled
        case "awaiting_budget": .runPaused
        default: .success
        }
    }
}
