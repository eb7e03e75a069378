/// The reviewed evaluation as a gate shows it: the QA Evaluator's figures and each check's
/// name, status and duration (the outputs stay in the run-service's report).
struct GateEvalSummary: Codable, Sendable, Equatable {
    /// One check.
    struct Check: Codable, Sendable, Equatable {
        var name: String
        var status: String
        var durationMilliseconds: Int?

        enum CodingKeys: String, CodingKey {
            case name, status
            case durationMilliseconds = "duration_ms"
        }
    }

    var iteration: Int
    var score: Int
    /// Every check and test passed.
    var passed: Bool
    var testsPassed: Int
    var testsFailed: Int
    var checksPassed: Int
    var checksFailed: Int
    var failingFiles: [String]
    var checks: [Check]

    enum CodingKeys: String, CodingKey {
        case iteration, score, passed, checks
        case testsPassed = "tests_passed"
        case testsFailed = "tests_failed"
        case checksPassed = "checks_passed"
        case checksFailed = "checks_failed"
        case failingFiles = "failing_files"
    }

    /// The summary of a report.
    init(_ report: RunServiceClient.Report) {
        iteration = report.iteration
        score = report.score
        passed = report.checksFailed == 0 && report.testsFailed == 0
        testsPassed = report.testsPassed
        testsFailed = report.testsFailed
        checksPassed = report.checksPassed
        checksFailed = report.checksFailed
        failingFiles = report.failingFiles
        checks = report.checks.map { Check(name: $0.name, status: $0.status, durationMilliseconds: $0.durationMilliseconds) }
    }
}
