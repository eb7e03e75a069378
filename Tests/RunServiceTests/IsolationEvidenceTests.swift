import Foundation
import Shared
import Testing
@testable import RunService

/// The manifest's isolation evidence from a report's test files: which files prove what, and a
/// proof only when such tests ran and none failed.
@Suite struct IsolationEvidenceTests {
    static func report(_ files: String, sandbox: String = #"{"isolation":"bubblewrap","network":"none"}"#) throws -> EvalSummary {
        try JSONDecoder().decode(EvalSummary.self, from: Data("""
            {"iteration": 1, "score": 100, "tests_passed": 1, "tests_failed": 0, "checks_passed": 1, "checks_failed": 0, "failing_files": [],
             "checks": [], "test_files": \(files), "sandbox": \(sandbox)}
            """.utf8))
    }

    @Test func testFilesAreSortedIntoCrossTenantAndRoleDenialProofs() throws {
        let evidence = IsolationEvidence(report: try Self.report("""
            [{"file": "tests/test_isolation.py", "passed": 8, "failed": 0, "skipped": 0},
             {"file": "tests/test_tenant_lists.py", "passed": 2, "failed": 1, "skipped": 0},
             {"file": "tests/test_rbac.py", "passed": 40, "failed": 0, "skipped": 1},
             {"file": "tests/test_privileges.py", "passed": 5, "failed": 0, "skipped": 0},
             {"file": "tests/test_contacts.py", "passed": 30, "failed": 0, "skipped": 0}]
            """))
        #expect(evidence.crossTenant.files == ["tests/test_isolation.py", "tests/test_tenant_lists.py"])
        #expect(evidence.crossTenant.passed == 10 && evidence.crossTenant.failed == 1 && !evidence.crossTenant.proven)
        #expect(evidence.roleDenial.files == ["tests/test_rbac.py", "tests/test_privileges.py"])
        #expect(evidence.roleDenial.passed == 45 && evidence.roleDenial.skipped == 1 && evidence.roleDenial.proven)
        #expect(evidence.sandbox?["network"]?.stringValue == "none")
    }

    @Test func withoutSuchTestsNothingIsProven() throws {
        let evidence = IsolationEvidence(report: try Self.report(#"[{"file": "tests/test_api.py", "passed": 3, "failed": 0, "skipped": 0}]"#, sandbox: "null"))
        #expect(!evidence.crossTenant.proven && !evidence.roleDenial.proven && evidence.sandbox == nil)
        let encoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(evidence))
        #expect(encoded["cross_tenant"]?["proven"] == .bool(false))
    }
}
