import Foundation
import Shared
import Testing
@testable import RunService

/// What a replay compares (pure): only what a step decides, each run's id written alike, and the
/// first differing line shown; which steps a replay answers from the recording.
@Suite struct ReplayRecordingTests {
    let source = UUID()
    let replay = UUID()

    @Test func reportsCompareOnVerdictsNotOnTimingsOrPaths() {
        let recorded: JSONValue = .object([
            "run_id": .string(source.lowercaseText), "score": .number(100), "tests_passed": .number(30), "tests_failed": .number(0),
            "checks": .array([.object(["name": .string("pytest"), "status": .string("passed"), "duration_ms": .number(4100), "output_tail": .string("30 passed in 4.10s")])]),
        ])
        var replayed = recorded
        if case .object(var fields) = replayed {
            fields["run_id"] = .string(replay.lowercaseText)
            fields["checks"] = .array([.object(["name": .string("pytest"), "status": .string("passed"), "duration_ms": .number(3900), "output_tail": .string("30 passed in 3.90s")])])
            replayed = .object(fields)
        }
        #expect(ReplayRecording.comparable(recorded, role: .qaEvaluator, run: source) == ReplayRecording.comparable(replayed, role: .qaEvaluator, run: replay))
        let failing: JSONValue = .object(["score": .number(70), "tests_passed": .number(29), "tests_failed": .number(1)])
        #expect(ReplayRecording.comparable(recorded, role: .qaEvaluator, run: source) != ReplayRecording.comparable(failing, role: .qaEvaluator, run: replay))
    }

    @Test func diffsCompareLineByLineAndTheFirstDifferenceIsShownWithItsContext() {
        let before = "diff --git a/app/x.py b/app/x.py\n@@ -0,0 +1,3 @@\n+a = 1\n+b = 2\n+c = 3\n"
        let after = before.replacingOccurrences(of: "+b = 2", with: "+b = 20")
        let expected = ReplayRecording.comparable(.object(["diff": .string(before), "files": .array([.string("app/x.py")])]), role: .codegenEngineer, run: source)
        let actual = ReplayRecording.comparable(.object(["diff": .string(after), "files": .array([.string("app/x.py")])]), role: .codegenEngineer, run: replay)
        #expect(ReplayRecording.firstDifference(expected, actual) == "line 4 differs:\n  @@ -0,0 +1,3 @@\n  +a = 1\n- +b = 2\n+ +b = 20")
        #expect(ReplayRecording.firstDifference("a\nb", "a\nb\nc") == "line 3 differs:\n  a\n  b\n- (the recording ends here)\n+ c")
    }

    @Test func pullRequestsNameTheirOwnRunAlike() {
        let recorded: JSONValue = .object(["title": .string("Scaffold"), "markdown": .string("branch meta-builder/run-\(source.lowercaseText)")])
        let replayed: JSONValue = .object(["title": .string("Scaffold"), "markdown": .string("branch meta-builder/run-\(replay.lowercaseText)")])
        #expect(ReplayRecording.comparable(recorded, role: .reviewer, run: source) == ReplayRecording.comparable(replayed, role: .reviewer, run: replay))
    }
}
