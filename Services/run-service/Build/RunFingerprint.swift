import Foundation
import Shared

/// What shapes a run's output, recorded when a worker first claims the run and checked on every
/// later claim: a run resumed where any of it differs would continue on different ground, so it
/// stops instead (FAILED_PRECONDITION naming what changed).
struct RunFingerprint: Codable, Sendable, Equatable {
    /// sha256 of the plan copy the run builds.
    var planSHA256: String
    /// The provider the agents run on, and its model (as the agent-service reports it).
    var provider: String
    var model: String
    /// The version (sha256) of the agent-service's scaffold templates.
    var templateVersion: String
    /// The version of the build loop (the order of steps and what each gets).
    var loopVersion: Int
    /// The token ceiling reserved per agent call (it decides which calls fit the budget).
    var stepTokenCeiling: Int
    /// The base tree, if any, and the commit its `HEAD` was at (nil when it cannot be read: the
    /// Codegen step then refuses the repository and the run fails naming it).
    var baseRepository: String?
    var baseCommit: String?
    /// The fault injected on purpose, if any.
    var fault: String?

    enum CodingKeys: String, CodingKey {
        case provider, model, fault
        case planSHA256 = "plan_sha256"
        case templateVersion = "template_version"
        case baseCommit = "base_commit"
        case loopVersion = "loop_version"
        case stepTokenCeiling = "step_token_ceiling"
        case baseRepository = "base_repository"
    }

    /// Bumped whenever the loop's steps or their inputs change.
    static let currentLoopVersion = 2

    /// The JSON names of the fields whose values differ from `recorded`, sorted.
    func changes(since recorded: RunFingerprint) -> [String] {
        var changed: [String] = []
        if planSHA256 != recorded.planSHA256 { changed.append("plan_sha256") }
        if provider != recorded.provider { changed.append("provider") }
        if model != recorded.model { changed.append("model") }
        if templateVersion != recorded.templateVersion { changed.append("template_version") }
        if baseCommit != recorded.baseCommit { changed.append("base_commit") }
        if loopVersion != recorded.loopVersion { changed.append("loop_version") }
        if stepTokenCeiling != recorded.stepTokenCeiling { changed.append("step_token_ceiling") }
        if baseRepository != recorded.baseRepository { changed.append("base_repository") }
        if fault != recorded.fault { changed.append("fault") }
        return changed.sorted()
    }

    /// sha256 of a JSON document in canonical form (keys sorted).
    static func digest(_ value: JSONValue) throws -> String {
        try IdempotentCreate.hash(value)
    }
}
