import Foundation
import Shared

/// The run-service's public API as a gate is built from it, acting for the principal of the
/// current request scope: the run, the diff of each iteration, the evaluation report.
struct RunServiceClient: Sendable {
    let reader: PeerReader
    let baseURL: String

    /// The parts of `GET /runs/{id}` a gate needs.
    struct Run: Decodable, Sendable {
        /// The risk figures.
        struct Risk: Decodable, Sendable {
            var planScore: Int
            var score: Int?
            var threshold: Int

            enum CodingKeys: String, CodingKey {
                case score, threshold
                case planScore = "plan_score"
            }
        }

        /// The run's view of its gate: why the score is above the plan's.
        struct Gate: Decodable, Sendable {
            var reasons: [String]
        }

        var id: ResourceID
        var specID: ResourceID
        var planID: ResourceID
        var status: String
        var iteration: Int
        var risk: Risk
        var gate: Gate?
        var pullRequest: PullRequestBody?
        var createdBy: String

        enum CodingKeys: String, CodingKey {
            case id, status, iteration, risk, gate
            case specID = "spec_id"
            case planID = "plan_id"
            case pullRequest = "pull_request"
            case createdBy = "created_by"
        }
    }

    /// `GET /runs/{id}/diff?iteration=N` as JSON: what one iteration's diff changed.
    struct Diff: Decodable, Sendable {
        /// One file's lines added and deleted.
        struct File: Codable, Sendable, Equatable {
            var path: String
            var additions: Int
            var deletions: Int
        }

        var iteration: Int
        /// The agent role that wrote it (`codegen_engineer`, `auto_fixer`).
        var role: String
        var files: [File]
        var additions: Int
        var deletions: Int
    }

    /// The parts of the QA Evaluator's report (`GET /runs/{id}/report?iteration=N`) a gate shows.
    struct Report: Decodable, Sendable {
        /// One check of the evaluation.
        struct Check: Decodable, Sendable, Equatable {
            var name: String
            /// `passed`, `failed` or `skipped`.
            var status: String
            var durationMilliseconds: Int?
            var outputTail: String?

            enum CodingKeys: String, CodingKey {
                case name, status
                case durationMilliseconds = "duration_ms"
                case outputTail = "output_tail"
            }
        }

        var iteration: Int
        var score: Int
        var testsPassed: Int
        var testsFailed: Int
        var checksPassed: Int
        var checksFailed: Int
        var failingFiles: [String]
        var checks: [Check]

        enum CodingKeys: String, CodingKey {
            case iteration, score, checks
            case testsPassed = "tests_passed"
            case testsFailed = "tests_failed"
            case checksPassed = "checks_passed"
            case checksFailed = "checks_failed"
            case failingFiles = "failing_files"
        }
    }

    /// The run; the run-service's NOT_FOUND (an unknown run, or another tenant's) as it is.
    func run(_ id: UUID) async throws -> Run {
        try await reader.get("\(baseURL)/api/meta/v2/runs/\(id.lowercaseText)", from: "run-service", as: Run.self)
    }

    /// The diff of one iteration; FAILED_PRECONDITION when the run has none for it.
    func diff(of run: UUID, iteration: Int) async throws -> Diff {
        try await missingAsPrecondition("run \(run.lowercaseText) has no diff for iteration \(iteration)") {
            try await reader.get("\(baseURL)/api/meta/v2/runs/\(run.lowercaseText)/diff?iteration=\(iteration)", from: "run-service", as: Diff.self)
        }
    }

    /// The unified diff of one iteration as text; FAILED_PRECONDITION when the run has none for it.
    func diffText(of run: UUID, iteration: Int) async throws -> String {
        try await missingAsPrecondition("run \(run.lowercaseText) has no diff for iteration \(iteration)") {
            try await reader.text("\(baseURL)/api/meta/v2/runs/\(run.lowercaseText)/diff?iteration=\(iteration)", from: "run-service", accept: "text/x-diff")
        }
    }

    /// The evaluation report of one iteration; FAILED_PRECONDITION when the run has none for it.
    func report(of run: UUID, iteration: Int) async throws -> Report {
        try await missingAsPrecondition("run \(run.lowercaseText) has no evaluation report for iteration \(iteration)") {
            try await reader.get("\(baseURL)/api/meta/v2/runs/\(run.lowercaseText)/report?iteration=\(iteration)", from: "run-service", as: Report.self)
        }
    }

    /// A part of a run that is missing is a precondition of the gate that fails, not a run that
    /// is not found.
    private func missingAsPrecondition<T>(_ message: String, _ read: () async throws -> T) async throws -> T {
        do {
            return try await read()
        } catch let error as WireError where error.code == .notFound {
            throw WireError(.failedPrecondition, message)
        }
    }
}
