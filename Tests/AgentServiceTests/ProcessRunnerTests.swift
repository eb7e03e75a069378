import Foundation
import Shared
import Testing

/// Subprocesses: exit codes, output, minimal environment, timeouts that kill the whole group.
@Suite struct ProcessRunnerTests {
    @Test func exitCodeAndOutputAreReported() async throws {
        let result = try await ProcessRunner.run("sh", ["-c", "echo out; echo err >&2; exit 3"], timeout: .seconds(10))
        #expect(result.exitCode == 3)
        #expect(!result.succeeded)
        #expect(result.output.contains("out"))
        #expect(result.output.contains("err"))
    }

    @Test func theEnvironmentHoldsNoServiceSecrets() async throws {
        setenv("META_BUILDER_JWT_SECRET", "leak-me-if-you-can", 1)
        let result = try await ProcessRunner.run("env", [], environment: ProcessRunner.environment(["EXTRA": "1"]), timeout: .seconds(10))
        #expect(result.succeeded)
        #expect(!result.output.contains("leak-me-if-you-can"))
        #expect(result.output.contains("EXTRA=1"))
    }

    @Test func aHungProcessAndItsChildrenAreKilledAtTheTimeout() async throws {
        let marker = "mb-sleeper-\(UUID().uuidString.prefix(8))"
        let result = try await ProcessRunner.run("sh", ["-c", "sleep 30 & exec -a \(marker) sleep 30"], timeout: .milliseconds(500))
        #expect(result.timedOut)
        #expect(!result.succeeded)
        #expect(result.duration < .seconds(30))
        // "[m]b-…" matches the sleepers but not this pgrep's own command line.
        let survivors = try await ProcessRunner.run("sh", ["-c", "pgrep -f '[\(marker.prefix(1))]\(marker.dropFirst())' || true"], timeout: .seconds(5))
        #expect(survivors.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test func aChildThatClosesItsOutputAndHangsIsStillKilledAtTheTimeout() async throws {
        let marker = "29.\(Int.random(in: 10_000_000...99_999_999))"
        let started = ContinuousClock.now
        let result = try await ProcessRunner.run("sh", ["-c", "exec >/dev/null 2>&1; sleep \(marker)"], timeout: .milliseconds(500))
        #expect(result.timedOut)
        #expect(!result.succeeded)
        // The sleep lasts 29 s; ending well before it is the claim (no tight bound: machines are noisy).
        #expect(ContinuousClock.now - started < .seconds(20), "ended at the timeout, not when the sleep did")
        // "[s]leep …" matches the sleeper but not this pgrep's own command line.
        let survivors = try await ProcessRunner.run("sh", ["-c", "pgrep -f '[s]leep \(marker)' || true"], timeout: .seconds(5))
        #expect(survivors.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "the process group is gone")
    }

    @Test func aChildThatClosesItsOutputAndThenExitsReportsItsStatus() async throws {
        let result = try await ProcessRunner.run("sh", ["-c", "echo before; exec >/dev/null 2>&1; sleep 0.3; exit 4"], timeout: .seconds(10))
        #expect(!result.timedOut)
        #expect(result.exitCode == 4)
        #expect(result.output.contains("before"))
        #expect(result.duration >= .milliseconds(300))
    }

    @Test func aMissingExecutableIsAClearError() async throws {
        let error = await #expect(throws: WireError.self) {
            try await ProcessRunner.run("definitely-not-a-command-\(UUID().uuidString.prefix(6))", [], timeout: .seconds(5))
        }
        #expect(error?.code == .failedPrecondition)
    }
}
