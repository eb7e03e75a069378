import Testing
@testable import RunService

/// The run lifecycle of DESIGN.md, as `RunStatus` allows it.
@Suite struct RunStatusTests {
    @Test func theLoopMovesForwardAndFixesGoBackToApplying() {
        let path: [RunStatus] = [.queued, .generating, .applying, .evaluating, .fixing, .applying, .evaluating, .reviewing, .awaitingApproval, .finalizing, .succeeded]
        for (from, to) in zip(path, path.dropFirst()) {
            #expect(from.canMove(to: to), "\(from) → \(to)")
        }
        #expect(RunStatus.reviewing.canMove(to: .finalizing))
        #expect(RunStatus.awaitingApproval.canMove(to: .rejected))
    }

    @Test(arguments: RunStatus.allCases)
    func terminalStatesAbsorb(_ status: RunStatus) {
        guard status.isTerminal else { return }
        for next in RunStatus.allCases {
            #expect(!status.canMove(to: next), "\(status) → \(next)")
        }
    }

    @Test(arguments: RunStatus.allCases)
    func everyRunningStateMayBeCancelledOrFail(_ status: RunStatus) {
        guard !status.isTerminal else { return }
        #expect(status.canMove(to: .cancelled))
        #expect(status.canMove(to: .failed))
    }

    @Test func everyBuildingStatePausesAtACapAndAnExtensionQueuesTheRunAgain() {
        for status in [RunStatus.queued, .generating, .applying, .evaluating, .fixing, .reviewing] {
            #expect(status.canMove(to: .awaitingBudget), "\(status) → awaiting_budget")
        }
        #expect(!RunStatus.awaitingApproval.canMove(to: .awaitingBudget))
        #expect(!RunStatus.finalizing.canMove(to: .awaitingBudget))
        #expect(RunStatus.awaitingBudget.canMove(to: .queued))
        #expect(!RunStatus.awaitingBudget.canMove(to: .generating))
        #expect(!RunStatus.awaitingBudget.canMove(to: .succeeded))
        #expect(RunStatus.allCases.filter(\.waitsForAPerson) == [.awaitingBudget, .awaitingApproval])
    }

    @Test func noShortcuts() {
        #expect(!RunStatus.queued.canMove(to: .evaluating))
        #expect(!RunStatus.generating.canMove(to: .succeeded))
        #expect(!RunStatus.evaluating.canMove(to: .finalizing))
        #expect(!RunStatus.fixing.canMove(to: .evaluating))
        #expect(!RunStatus.reviewing.canMove(to: .succeeded))
        #expect(!RunStatus.awaitingApproval.canMove(to: .succeeded))
        let terminal = RunStatus.allCases.filter { $0.isTerminal }
        #expect(terminal == [.succeeded, .rejected, .cancelled, .failed])
    }
}
