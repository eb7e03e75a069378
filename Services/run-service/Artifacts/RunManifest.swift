import Foundation
import Shared

/// The manifest of a run's artifacts (docs/run-service.md, "Artifacts"): which run, spec and
/// plan they come from and on what ground (the fingerprint), what building them took
/// (iterations, scores, risk, tokens, cost and build time), the last evaluation and what it proved
/// about the app's isolation (with the sandbox it ran in), the branch and its commit, the ZIP
/// and pull-request blobs by sha256, and every file of the scaffold with its sha256, size and
/// git mode. It holds no time and no host path: building a run's artifacts again gives the same
/// bytes.
struct RunManifest: Codable, Sendable, Equatable {
    /// This layout's version.
    static let currentSchemaVersion = 2

    /// One evaluation's score.
    struct Score: Codable, Sendable, Equatable {
        var iteration: Int
        var score: Int
        var passed: Bool
    }

    /// The run's risk: its score and the plan's.
    struct Risk: Codable, Sendable, Equatable {
        var score: Int?
        var planScore: Int

        enum CodingKeys: String, CodingKey {
            case score
            case planScore = "plan_score"
        }
    }

    /// What the run spent of its token budget.
    struct Tokens: Codable, Sendable, Equatable {
        var spent: Int
        var budget: Int
    }

    /// The last evaluation's figures (the EvalReport summary).
    struct Evaluation: Codable, Sendable, Equatable {
        var iteration: Int
        var score: Int
        var passed: Bool
        var testsPassed: Int
        var testsFailed: Int
        var checksPassed: Int
        var checksFailed: Int
        var checks: [EvalSummary.Check]
        var failingFiles: [String]

        enum CodingKeys: String, CodingKey {
            case iteration, score, passed, checks
            case testsPassed = "tests_passed"
            case testsFailed = "tests_failed"
            case checksPassed = "checks_passed"
            case checksFailed = "checks_failed"
            case failingFiles = "failing_files"
        }

        /// The figures of `summary`.
        init(_ summary: EvalSummary) {
            iteration = summary.iteration
            score = summary.score
            passed = summary.passed
            testsPassed = summary.testsPassed
            testsFailed = summary.testsFailed
            checksPassed = summary.checksPassed
            checksFailed = summary.checksFailed
            checks = summary.checks
            failingFiles = summary.failingFiles
        }
    }

    /// The run's branch: its name, its one commit, and the commit that builds on (absent in a
    /// repository made for the run, where the commit is the first).
    struct Branch: Codable, Sendable, Equatable {
        var name: String
        var commit: String
        var baseCommit: String?

        enum CodingKeys: String, CodingKey {
            case name, commit
            case baseCommit = "base_commit"
        }
    }

    /// Another artifact of the run, by file name and content.
    struct Blob: Codable, Sendable, Equatable {
        var fileName: String
        var sha256: String
        var size: Int

        enum CodingKeys: String, CodingKey {
            case sha256, size
            case fileName = "file_name"
        }
    }

    /// The pull request: its title and the markdown artifact.
    struct PullRequest: Codable, Sendable, Equatable {
        var title: String
        var markdown: Blob
    }

    /// One file of the scaffold.
    struct File: Codable, Sendable, Equatable {
        /// Relative to the tree's root, `/`-separated.
        var path: String
        /// sha256 of the content (of the link target for a symbolic link).
        var sha256: String
        /// Bytes.
        var size: Int
        /// The git mode: `100644`, `100755` (executable) or `120000` (symbolic link).
        var mode: String
    }

    var schemaVersion = Self.currentSchemaVersion
    /// Ids in lower case (as the API writes them).
    var runID: String
    var specID: String
    var planID: String
    var planVersion: Int
    var fingerprint: RunFingerprint
    var iterations: Int
    var scores: [Score]
    var risk: Risk
    var tokens: Tokens
    var cost: RunCost
    var evaluation: Evaluation
    var isolation: IsolationEvidence
    var branch: Branch
    var pullRequest: PullRequest
    var zip: Blob
    /// Every file in the ZIP and the branch's tree, sorted by path (bytewise).
    var files: [File]
    /// For a regeneration, the three-way merge it made (absent otherwise).
    var regeneration: RegenerationMerge?

    enum CodingKeys: String, CodingKey {
        case fingerprint, iterations, scores, risk, tokens, cost, evaluation, isolation, branch, zip, files, regeneration
        case schemaVersion = "schema_version"
        case runID = "run_id"
        case specID = "spec_id"
        case planID = "plan_id"
        case planVersion = "plan_version"
        case pullRequest = "pull_request"
    }

    /// The manifest as stored: pretty-printed JSON with sorted keys and a final newline.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
