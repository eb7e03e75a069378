import Foundation
import Shared

/// The figures of a QA Evaluator report the loop decides on (decoded from the report, which is
/// stored whole).
struct EvalSummary: Codable, Sendable, Equatable {
    /// One check as the report names it.
    struct Check: Codable, Sendable, Equatable {
        var name: String
        var status: String
    }

    var iteration: Int
    var score: Int
    var testsPassed: Int
    var testsFailed: Int
    var checksPassed: Int
    var checksFailed: Int
    var failingFiles: [String]
    var checks: [Check]
    /// What confined the generated code, as the report states it.
    var sandbox: JSONValue?

    enum CodingKeys: String, CodingKey {
        case iteration, score, checks
        case testsPassed = "tests_passed"
        case testsFailed = "tests_failed"
        case checksPassed = "checks_passed"
        case checksFailed = "checks_failed"
        case failingFiles = "failing_files"
        case sandbox
    }

    /// True when every check and test passed (the QA Evaluator's own rule).
    var passed: Bool { checksFailed == 0 && testsFailed == 0 }

    /// Decodes a report's figures; a score outside 0–100 is not a report.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iteration = try container.decode(Int.self, forKey: .iteration)
        score = try container.decode(Int.self, forKey: .score)
        guard (0...100).contains(score) else {
            throw DecodingError.dataCorruptedError(forKey: .score, in: container, debugDescription: "a score outside 0-100")
        }
        testsPassed = try container.decode(Int.self, forKey: .testsPassed)
        testsFailed = try container.decode(Int.self, forKey: .testsFailed)
        checksPassed = try container.decode(Int.self, forKey: .checksPassed)
        checksFailed = try container.decode(Int.self, forKey: .checksFailed)
        failingFiles = try container.decode([String].self, forKey: .failingFiles)
        checks = try container.decode([Check].self, forKey: .checks)
        sandbox = try container.decodeIfPresent(JSONValue.self, forKey: .sandbox)
    }
}
