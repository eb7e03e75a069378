import Foundation
import Shared
import Testing

@testable import MBCtl

/// The progress `run watch` prints is the run as each event tells it, not as it stands now.
@Suite struct RunProgressTests {
    /// An event as the run-service streams it.
    static func event(_ sequence: Int, _ type: String, at second: Int, _ data: String = "{}") -> ServerSentEvent {
        ServerSentEvent(id: String(sequence), type: type, data: #"{"sequence":\#(sequence),"type":"\#(type)","at":"2026-01-01T00:00:\#(String(format: "%02d", second))Z","data":\#(data)}"#)
    }

    @Test func eventsBuildStateIterationStepsTokensAndTime() throws {
        let caps = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"caps":{"max_iterations":4,"token_budget":1000,"timeout_s":900}}"#.utf8))
        var progress = RunProgress(caps: caps)
        let plain = Console(json: false, environment: ["NO_COLOR": "1"])
        #expect(progress.apply(Self.event(1, "run.started", at: 0)) == "run.started")
        #expect(progress.line(plain).hasPrefix("queued "))
        #expect(progress.apply(Self.event(2, "run.step.started", at: 2, #"{"role":"codegen_engineer","iteration":1,"status":"generating"}"#)) == "codegen_engineer started")
        #expect(progress.apply(Self.event(3, "run.step.completed", at: 5, #"{"role":"codegen_engineer","iteration":1,"tokens":300}"#)) == "codegen_engineer completed (300 tokens)")
        #expect(progress.line(plain) == "generating        iter 1/4  [####................] 1/5 steps  tokens 300/1,000  time 3s/900s")
        _ = progress.apply(Self.event(4, "run.step.started", at: 6, #"{"role":"auto_fixer","iteration":2,"status":"fixing"}"#))
        #expect(progress.stepsTotal == 8, "a fix iteration lengthens the loop")
        #expect(progress.apply(Self.event(5, "run.failed", at: 9, #"{"status":"failed","reason":"token_budget"}"#)) == "run.failed (token_budget)")
        #expect(progress.status == "failed" && progress.seconds == 7)
    }
}

/// The report's checks: passed golden tasks fold into one row, failures keep theirs.
@Suite struct ReportChecksTests {
    @Test func passedGoldenTasksFoldIntoOneRowAndFailuresStay() {
        let checks = [("compile", "passed"), ("golden:AC-1", "passed"), ("golden:AC-2", "failed"), ("golden:AC-3", "passed"), ("rollback:down", "passed")]
        let rows = RunReportCommand.grouped(checks)
        #expect(rows.map(\.0) == ["compile", "golden tasks (2 of 3)", "golden:AC-2", "rollback:down"])
        #expect(RunReportCommand.grouped([("smoke", "failed")]).map(\.0) == ["smoke"])
    }
}
