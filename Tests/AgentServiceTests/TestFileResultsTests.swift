import Foundation
import Testing
@testable import AgentService

/// pytest's JUnit XML, read by test file: passed, failed (failures and errors) and skipped
/// test cases, whatever their class, grouped under the file their classname names.
@Suite struct TestFileResultsTests {
    static let xml = """
        <?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="6">
        <testcase classname="tests.test_isolation" name="test_other_tenant_gets_404[contacts]" time="0.010" />
        <testcase classname="tests.test_isolation" name="test_lists_hide_other_tenants" time="0.020"></testcase>
        <testcase classname="tests.test_rbac.TestViewer" name="test_cannot_create" time="0.003"><failure message="assert 201 == 403">assert 201 == 403</failure></testcase>
        <testcase classname="tests.test_rbac" name="test_setup" time="0.001"><error message="fixture">boom</error></testcase>
        <testcase classname="tests.test_pii" name="test_redacted" time="0.001"><skipped type="pytest.skip" message="no key">skipped</skipped></testcase>
        <testcase classname="conftest" name="test_elsewhere" time="0.001" />
        </testsuite></testsuites>
        """

    @Test func casesAreCountedByTheFileTheirClassNames() {
        let files: Set<String> = ["/w/tests/test_isolation.py", "/w/tests/test_rbac.py", "/w/tests/test_pii.py"]
        let results = TestFileResults.parse(Self.xml, workspace: "/w") { files.contains($0) }
        #expect(results == [
            .init(file: "tests/test_isolation.py", passed: 2, failed: 0, skipped: 0),
            .init(file: "tests/test_pii.py", passed: 0, failed: 0, skipped: 1),
            .init(file: "tests/test_rbac.py", passed: 0, failed: 2, skipped: 0),
        ])
    }

    @Test func noReportIsNoResults() async throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(workspace)/tests", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        #expect(await TestFileResults.take(from: workspace).isEmpty)
        // A report is read once and removed, so it never reaches a diff of the workspace.
        try Data("x = 1\n".utf8).write(to: URL(fileURLWithPath: "\(workspace)/tests/test_isolation.py"))
        try Data(Self.xml.utf8).write(to: URL(fileURLWithPath: "\(workspace)/\(TestFileResults.reportPath)"))
        #expect(await TestFileResults.take(from: workspace) == [.init(file: "tests/test_isolation.py", passed: 2, failed: 0, skipped: 0)])
        #expect(!FileManager.default.fileExists(atPath: "\(workspace)/\(TestFileResults.reportPath)"))
    }
}
