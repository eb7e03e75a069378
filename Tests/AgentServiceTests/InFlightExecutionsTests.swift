import Foundation
import Testing
@testable import AgentService

/// The registry of executions in flight, without I/O: a cancel reaches only the caller's
/// tenant's executions under the key prefix, waits for their end within its bound, counts each
/// execution once, and comes too late for an execution whose own outcome has settled.
@Suite(.timeLimit(.minutes(1))) struct InFlightExecutionsTests {
    @Test func aCancelReachesOnlyTheTenantsExecutionsUnderThePrefixAndWaitsForTheirEnd() async throws {
        let registry = InFlightExecutions()
        let tenant = UUID(), other = UUID()
        let codegen = registry.start(tenant: tenant, key: "run:1:1:codegen_engineer", id: UUID())
        let qa = registry.start(tenant: tenant, key: "run:1:1:qa_evaluator", id: UUID())
        let otherRun = registry.start(tenant: tenant, key: "run:2:1:qa_evaluator", id: UUID())
        let otherTenant = registry.start(tenant: other, key: "run:1:1:qa_evaluator", id: UUID())
        // The agents of run 1: they stop when cancelled, and end a moment later.
        let agents = Task {
            await withTaskGroup(of: Void.self) { group in
                for execution in [codegen, qa] {
                    group.addTask {
                        await execution.cancellation.wait()
                        try? await Task.sleep(for: .milliseconds(100))
                        registry.finish(execution)
                    }
                }
            }
        }
        let cancelled = await registry.cancel(tenant: tenant, keyPrefix: "run:1:", waitingAtMost: .seconds(30))
        #expect(cancelled == 2)
        #expect(codegen.end.isOpen && qa.end.isOpen, "the cancel answered once they had ended")
        #expect(!codegen.settle() && !qa.settle(), "they end CANCELLED")
        #expect(!otherRun.cancellation.isOpen && !otherTenant.cancellation.isOpen)
        #expect(otherRun.settle() && otherTenant.settle(), "their own outcomes stand")
        #expect(await registry.cancel(tenant: tenant, keyPrefix: "run:1:", waitingAtMost: .seconds(30)) == 0, "a second call finds nothing")
        await agents.value
    }

    @Test func aCancelWaitsNoLongerThanItsBoundAndCountsAnExecutionOnce() async throws {
        let registry = InFlightExecutions()
        let tenant = UUID()
        // An agent that does not stop when cancelled.
        let stuck = registry.start(tenant: tenant, key: "run:3:1:qa_evaluator", id: UUID())
        let started = ContinuousClock.now
        #expect(await registry.cancel(tenant: tenant, keyPrefix: "run:3:", waitingAtMost: .milliseconds(300)) == 1)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300) && waited < .seconds(10), "\(waited)")
        #expect(!stuck.end.isOpen)
        #expect(await registry.cancel(tenant: tenant, keyPrefix: "run:3:", waitingAtMost: .milliseconds(50)) == 0, "cancelled already: not counted again")
        registry.finish(stuck)
        #expect(await registry.cancel(tenant: tenant, keyPrefix: "run:3:", waitingAtMost: .seconds(30)) == 0)
    }

    @Test func aCancelComesTooLateForASettledExecution() async throws {
        let registry = InFlightExecutions()
        let tenant = UUID()
        let settled = registry.start(tenant: tenant, key: "run:4:1:reviewer", id: UUID())
        #expect(settled.settle(), "its own outcome is being recorded")
        let recording = Task {
            try? await Task.sleep(for: .milliseconds(100))
            registry.finish(settled)
        }
        #expect(await registry.cancel(tenant: tenant, keyPrefix: "run:4:", waitingAtMost: .seconds(30)) == 0)
        #expect(settled.end.isOpen, "the cancel still waited for its end")
        #expect(!settled.cancellation.isOpen)
        #expect(settled.settle())
        await recording.value
    }
}
