import Foundation
import Shared

/// One step or check of applying or evaluating a scaffold.
struct EvaluationStep: Codable, Sendable, Equatable {
    /// What ran, e.g. `migrate_up`, `pytest`, `smoke`, `golden:AC-3`.
    var name: String
    /// `passed`, `failed` or `skipped`.
    var status: String
    /// Wall time.
    var durationMilliseconds: Int
    /// The last lines of its output.
    var outputTail: String
    /// Files implicated when it failed.
    var files: [String]

    enum CodingKeys: String, CodingKey {
        case name, status, files
        case durationMilliseconds = "duration_ms"
        case outputTail = "output_tail"
    }

    /// True when it passed.
    var passed: Bool { status == "passed" }

    /// A step from a finished subprocess.
    init(name: String, result: ProcessResult, files: [String] = []) {
        self.init(name: name, passed: result.succeeded, duration: result.duration, output: result.timedOut ? result.tail(30) + "\n[killed: time limit reached]" : result.tail(30), files: result.succeeded ? [] : files)
    }

    /// A check the evaluation's time limit left no time for: failed, so a report cut short
    /// never passes.
    static func notRun(_ name: String) -> EvaluationStep {
        EvaluationStep(name: name, passed: false, duration: .zero, output: "not run: the evaluation's time limit was reached")
    }

    /// A step from its parts.
    init(name: String, passed: Bool, duration: Duration, output: String, files: [String] = []) {
        self.name = name
        self.status = passed ? "passed" : "failed"
        let (seconds, attoseconds) = duration.components
        self.durationMilliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        self.outputTail = output
        self.files = files
    }
}
