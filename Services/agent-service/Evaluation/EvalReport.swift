import Shared

/// The QA Evaluator's output for one iteration.
struct EvalReport: Codable, Sendable, Equatable {
    var runID: String
    var iteration: Int
    /// Every check: compile, pytest, smoke, each golden task, rollback.
    var checks: [EvaluationStep]
    var testsPassed: Int
    var testsFailed: Int
    var checksPassed: Int
    var checksFailed: Int
    /// 0–100: pytest 50, smoke 15, golden tasks 20, rollback 15, each by its pass ratio.
    var score: Int
    /// Files the failures implicate, for the Auto-Fixer.
    var failingFiles: [String]
    /// What confined the generated code during the evaluation.
    var sandbox: SandboxEvidence?

    enum CodingKeys: String, CodingKey {
        case iteration, checks, score
        case runID = "run_id"
        case testsPassed = "tests_passed"
        case testsFailed = "tests_failed"
        case checksPassed = "checks_passed"
        case checksFailed = "checks_failed"
        case failingFiles = "failing_files"
        case sandbox
    }

    /// Decodes a report; one written before reports carried sandbox evidence (a fix of a run
    /// that started earlier) has none.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decode(String.self, forKey: .runID)
        iteration = try container.decode(Int.self, forKey: .iteration)
        checks = try container.decode([EvaluationStep].self, forKey: .checks)
        testsPassed = try container.decode(Int.self, forKey: .testsPassed)
        testsFailed = try container.decode(Int.self, forKey: .testsFailed)
        checksPassed = try container.decode(Int.self, forKey: .checksPassed)
        checksFailed = try container.decode(Int.self, forKey: .checksFailed)
        score = try container.decode(Int.self, forKey: .score)
        failingFiles = try container.decode([String].self, forKey: .failingFiles)
        sandbox = try container.decodeIfPresent(SandboxEvidence.self, forKey: .sandbox)
    }

    /// True when every check passed.
    var passed: Bool { checksFailed == 0 && testsFailed == 0 }

    /// Builds the totals and score from the checks.
    init(runID: String, iteration: Int, checks: [EvaluationStep], testsPassed: Int, testsFailed: Int, sandbox: SandboxEvidence? = nil) {
        self.sandbox = sandbox
        self.runID = runID
        self.iteration = iteration
        self.checks = checks
        self.testsPassed = testsPassed
        self.testsFailed = testsFailed
        checksPassed = checks.filter(\.passed).count
        checksFailed = checks.filter { $0.status == "failed" }.count
        func ratio(_ prefix: String) -> Double {
            let group = checks.filter { $0.name.hasPrefix(prefix) && $0.status != "skipped" }
            return group.isEmpty ? 0 : Double(group.filter(\.passed).count) / Double(group.count)
        }
        let tests = testsPassed + testsFailed == 0 ? 0 : Double(testsPassed) / Double(testsPassed + testsFailed)
        let compiled = ratio("compile")
        let golden = checks.contains { $0.name.hasPrefix("golden") && $0.status != "skipped" } ? ratio("golden") : ratio("smoke")
        score = Int((50 * tests * compiled + 15 * ratio("smoke") + 20 * golden + 15 * ratio("rollback")).rounded())
        failingFiles = Array(Set(checks.flatMap(\.files))).sorted()
    }
}
