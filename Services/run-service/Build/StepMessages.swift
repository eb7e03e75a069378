import Foundation
import Shared

/// What the build loop sends to the agent-service's roles and reads back: only the fields the
/// loop uses (the agent-service owns the full shapes; unknown fields in answers are ignored).
/// The plan travels as the JSON the run copied, never re-encoded.
enum StepMessages {
    /// Codegen's input.
    struct CodegenInput: Encodable, Sendable {
        var plan: JSONValue
        var baseRepository: String?
        var fault: String?

        enum CodingKeys: String, CodingKey {
            case plan, fault
            case baseRepository = "base_repository"
        }
    }

    /// A diff from Codegen or the Auto-Fixer.
    struct DiffOutput: Codable, Sendable {
        var diff: String
        var files: [String]
    }

    /// DevOps's input: apply the iteration's diff and prepare the preview schema.
    struct DevOpsInput: Encodable, Sendable {
        var runID: String
        var iteration: Int
        var diff: String
        var baseRepository: String?

        enum CodingKeys: String, CodingKey {
            case iteration, diff
            case runID = "run_id"
            case baseRepository = "base_repository"
        }
    }

    /// DevOps's answer.
    struct DevOpsOutput: Codable, Sendable {
        var workspace: String
        var ready: Bool
    }

    /// QA's input. It carries no time limit of its own: QA keeps to the call's deadline (the
    /// run's remaining time), and a step's input must be the same on every call with its key.
    struct QAInput: Encodable, Sendable {
        var runID: String
        var iteration: Int
        var plan: JSONValue
        var workspace: String

        enum CodingKeys: String, CodingKey {
            case iteration, plan, workspace
            case runID = "run_id"
        }
    }

    /// The Auto-Fixer's input: the failing report as QA wrote it.
    struct FixerInput: Encodable, Sendable {
        var plan: JSONValue
        var report: JSONValue
        var workspace: String
    }

    /// The Reviewer's input (the agent-service's `RunSummary`).
    struct ReviewInput: Encodable, Sendable {
        var runID: String
        var plan: JSONValue
        var files: [String]
        var iterations: Int
        var testsPassed: Int
        var testsFailed: Int
        var score: Int
        var branch: String?

        enum CodingKeys: String, CodingKey {
            case plan, files, iterations, score, branch
            case runID = "run_id"
            case testsPassed = "tests_passed"
            case testsFailed = "tests_failed"
        }
    }

    /// The Reviewer's pull-request body.
    struct PullRequest: Codable, Sendable {
        var title: String
        var markdown: String
        /// A model reviewer's own view of the risk: it may raise the rule-based score, with a
        /// reason, never lower it.
        var risk: ReviewerRisk?
    }
}
