import Foundation
import Shared
import Testing
@testable import RunService

/// The manifest's isolation evidence from the last report's checks, told apart by the plan's
/// acceptance criteria: a proof only when such checks ran and none failed.
@Suite struct IsolationEvidenceTests {
    static let plan: JSONValue = .object(["spec": .object(["acceptance_criteria": .array([
        .object(["id": .string("AC-1"), "kind": .string("crud")]),
        .object(["id": .string("AC-2"), "kind": .string("isolation")]),
        .object(["id": .string("AC-3"), "kind": .string("isolation")]),
        .object(["id": .string("AC-4"), "kind": .string("rbac")]),
    ])])])

    static func report(_ checks: String, sandbox: String = #"{"isolation":"bubblewrap","network":"none"}"#) throws -> EvalSummary {
        try JSONDecoder().decode(EvalSummary.self, from: Data("""
            {"iteration": 1, "score": 100, "tests_passed": 1, "tests_failed": 0, "checks_passed": 1, "checks_failed": 0, "failing_files": [],
             "checks": \(checks), "sandbox": \(sandbox)}
            """.utf8))
    }

    @Test func checksAreSortedIntoCrossTenantAndRoleDenialProofs() throws {
        let evidence = IsolationEvidence(report: try Self.report("""
            [{"name": "pytest", "status": "passed"}, {"name": "golden:AC-1", "status": "passed"},
             {"name": "golden:AC-2", "status": "passed"}, {"name": "golden:AC-3", "status": "failed"},
             {"name": "golden:AC-4", "status": "passed"}, {"name": "golden:permissions:viewer", "status": "passed"},
             {"name": "golden:permissions:admin", "status": "skipped"}]
            """), plan: Self.plan)
        #expect(evidence.crossTenant.checks == ["golden:AC-2", "golden:AC-3"])
        #expect(evidence.crossTenant.passed == 1 && evidence.crossTenant.failed == 1 && !evidence.crossTenant.proven)
        #expect(evidence.roleDenial.checks == ["golden:AC-4", "golden:permissions:viewer", "golden:permissions:admin"])
        #expect(evidence.roleDenial.passed == 2 && evidence.roleDenial.skipped == 1 && evidence.roleDenial.proven)
        #expect(evidence.sandbox?["network"]?.stringValue == "none")
    }

    @Test func withoutSuchChecksNothingIsProven() throws {
        let evidence = IsolationEvidence(report: try Self.report(#"[{"name": "golden:AC-1", "status": "passed"}]"#, sandbox: "null"), plan: Self.plan)
        #expect(!evidence.crossTenant.proven && !evidence.roleDenial.proven && evidence.sandbox == nil)
        let encoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(evidence))
        #expect(encoded["cross_tenant"]?["proven"] == .bool(false) && encoded["cross_tenant"]?["checks"] == .array([]))
    }
}
