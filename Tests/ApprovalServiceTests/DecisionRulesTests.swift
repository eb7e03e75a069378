import Foundation
import Shared
import Testing
@testable import ApprovalService

/// The rules of a decision on a gate, without I/O.
@Suite struct DecisionRulesTests {
    static func gate(
        status: GateStatus = .pending, pastExpiry: Bool = false, required: Int = 1, selfAllowed: Bool = false,
        rollback: String = "passed", decisions: [String: Decision] = [:]
    ) -> DecisionRules.Gate {
        DecisionRules.Gate(
            id: UUID(), runID: UUID(), status: status, isPastExpiry: pastExpiry, expiresAt: "2030-01-01T00:00:00Z",
            requiredApprovals: required, selfApprovalAllowed: selfAllowed, runCreatedBy: "creator", rollbackStatus: rollback, decisions: decisions
        )
    }

    static func code(_ body: () throws -> DecisionRules.Effect) -> StatusCode? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? WireError)?.code
        }
    }

    @Test func oneApprovalOrOneRejectionDecidesByDefault() throws {
        #expect(try DecisionRules.apply(.approve, by: "reviewer", to: Self.gate()) == .approved(approvals: 1))
        #expect(try DecisionRules.apply(.reject, by: "reviewer", to: Self.gate()) == .rejected)
    }

    @Test func theCreatorMayNotApproveTheirOwnRunUnlessThePolicyAllows() throws {
        #expect(Self.code { try DecisionRules.apply(.approve, by: "creator", to: Self.gate()) } == .permissionDenied)
        #expect(try DecisionRules.apply(.approve, by: "creator", to: Self.gate(selfAllowed: true)) == .approved(approvals: 1))
        // Withdrawing one's own run is always allowed.
        #expect(try DecisionRules.apply(.reject, by: "creator", to: Self.gate()) == .rejected)
    }

    @Test func approvalNeedsPassingRollbackEvidenceRejectionDoesNot() throws {
        for evidence in ["failed", "missing"] {
            #expect(Self.code { try DecisionRules.apply(.approve, by: "reviewer", to: Self.gate(rollback: evidence)) } == .failedPrecondition)
            #expect(try DecisionRules.apply(.reject, by: "reviewer", to: Self.gate(rollback: evidence)) == .rejected)
        }
    }

    @Test func aDecidedOrExpiredGateTakesNoDecision() {
        for status in [GateStatus.approved, .rejected, .expired] {
            for decision in [Decision.approve, .reject] {
                #expect(Self.code { try DecisionRules.apply(decision, by: "reviewer", to: Self.gate(status: status)) } == .failedPrecondition)
            }
        }
        #expect(Self.code { try DecisionRules.apply(.reject, by: "reviewer", to: Self.gate(pastExpiry: true)) } == .failedPrecondition)
    }

    @Test func severalApprovalsComeFromDifferentReviewers() throws {
        let first = try DecisionRules.apply(.approve, by: "a", to: Self.gate(required: 3))
        #expect(first == .pending(approvals: 1, required: 3))
        #expect(first.status == .pending)
        #expect(Self.code { try DecisionRules.apply(.approve, by: "a", to: Self.gate(required: 3, decisions: ["a": .approve])) } == .alreadyExists)
        #expect(try DecisionRules.apply(.approve, by: "b", to: Self.gate(required: 3, decisions: ["a": .approve])) == .pending(approvals: 2, required: 3))
        #expect(try DecisionRules.apply(.approve, by: "c", to: Self.gate(required: 3, decisions: ["a": .approve, "b": .approve])) == .approved(approvals: 3))
        // A rejection still closes a gate that has approvals.
        #expect(try DecisionRules.apply(.reject, by: "c", to: Self.gate(required: 3, decisions: ["a": .approve])) == .rejected)
        // With self-approval allowed, the creator's approval counts like anyone's.
        #expect(try DecisionRules.apply(.approve, by: "creator", to: Self.gate(required: 2, selfAllowed: true, decisions: ["a": .approve])) == .approved(approvals: 2))
    }
}
