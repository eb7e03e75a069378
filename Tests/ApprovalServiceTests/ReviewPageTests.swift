import Foundation
import Shared
import Testing
@testable import ApprovalService

/// The review page's pure parts: reading unified diffs, the file tree, where risk flags go, CSRF
/// tokens, and the rendered page — escaped, and collapsed for a large change.
@Suite struct ReviewPageTests {
    static let diff = """
        diff --git a/app/models/contact.py b/app/models/contact.py
        new file mode 100644
        index 0000000..1111111
        --- /dev/null
        +++ b/app/models/contact.py
        @@ -0,0 +1,3 @@
        +class Contact:
        +    email = "<script>alert(1)</script>"
        +    phone = None
        diff --git a/README.md b/README.md
        index 2222222..3333333 100644
        --- a/README.md
        +++ b/README.md
        @@ -4,4 +4,4 @@ Intro
         keep
        -old line
        +new line
         tail
        \\ No newline at end of file
        diff --git a/docs/old.md b/docs/old.md
        deleted file mode 100644
        --- a/docs/old.md
        +++ /dev/null
        @@ -1 +0,0 @@
        -gone
        """

    @Test func unifiedDiffsAreReadIntoFilesHunksAndNumberedLines() {
        let files = UnifiedDiff(parsing: Self.diff).files
        #expect(files.map(\.path) == ["app/models/contact.py", "README.md", "docs/old.md"])
        #expect(files.map(\.change) == [.added, .modified, .deleted])
        #expect(files.map(\.additions) == [3, 1, 0])
        #expect(files.map(\.deletions) == [0, 1, 1])
        let readme = files[1].hunks[0]
        #expect(readme.header == "@@ -4,4 +4,4 @@ Intro")
        #expect(readme.lines.map(\.kind) == [.context, .removed, .added, .context, .note])
        #expect(readme.lines.map(\.oldNumber) == [4, 5, nil, 6, nil])
        #expect(readme.lines.map(\.newNumber) == [4, nil, 5, 6, nil])
        #expect(files[0].hunks[0].lines[1].text == #"    email = "<script>alert(1)</script>""#)
        #expect(UnifiedDiff(parsing: "not a diff\n").files.isEmpty)
    }

    @Test func theFileTreeNestsDirectoriesOnceInPathOrder() {
        let tree = FileTree(paths: ["b.txt", "app/x/y.py", "app/a.py", "app/x/z.py"]).rows
        #expect(tree.map(\.name) == ["app/", "a.py", "x/", "y.py", "z.py", "b.txt"])
        #expect(tree.map(\.depth) == [0, 1, 1, 2, 2, 0])
        #expect(tree.map(\.file) == [nil, 2, nil, 1, 3, 0])
    }

    @Test func riskFlagsGoNextToTheFilesTheyNameAndTheRestConcernTheWholeChange() {
        let flags = [
            RiskFlag(factor: "pii_present", weight: 20, detail: "PII fields: contacts.email, contacts.phone"),
            RiskFlag(factor: "row_ownership_rules", weight: 10, detail: "own-row rules: sales_rep on deals"),
            RiskFlag(factor: "destructive_migration", weight: 25, detail: "destructive forward migrations: 0003_drop_notes"),
            RiskFlag(factor: "entity_count", weight: 6, detail: "5 entities"),
        ]
        let paths = ["migrations/0001_create_contacts.sql", "app/models/contact.py", "app/routes/deals.py", "migrations/0003_drop_notes.sql", "README.md"]
        let placement = RiskPlacement(flags: flags, paths: paths)
        #expect(placement.byPath["migrations/0001_create_contacts.sql"]?.map(\.factor) == ["pii_present"])
        #expect(placement.byPath["app/models/contact.py"]?.map(\.factor) == ["pii_present"])
        #expect(placement.byPath["app/routes/deals.py"]?.map(\.factor) == ["row_ownership_rules"])
        #expect(placement.byPath["migrations/0003_drop_notes.sql"]?.map(\.factor) == ["destructive_migration"])
        #expect(placement.byPath["README.md"] == nil)
        #expect(placement.wholeChange.map(\.factor) == ["entity_count"])
    }

    @Test func csrfTokensAreBoundToTheNonceAndTheSession() {
        let session = ReviewSession(secret: "a-user-token-secret-of-at-least-32-bytes")
        let token = session.csrfToken(nonce: "nonce-1", session: "jwt-1")
        #expect(token == session.csrfToken(nonce: "nonce-1", session: "jwt-1"))
        #expect(token != session.csrfToken(nonce: "nonce-2", session: "jwt-1"))
        #expect(token != session.csrfToken(nonce: "nonce-1", session: "jwt-2"))
        #expect(token != ReviewSession(secret: "another-user-token-secret-of-32-bytes!!").csrfToken(nonce: "nonce-1", session: "jwt-1"))
    }

    @Test func aLargeChangeRendersEscapedWithEveryFileCollapsed() throws {
        // 100 files of 100 added lines each, one of them holding markup.
        var text = ""
        var files: [RunServiceClient.Diff.File] = []
        for index in 0..<100 {
            let path = "app/module\(index / 10)/file\(index).py"
            text += "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1,100 @@\n"
            for line in 0..<100 { text += line == 7 ? "+x = '<script>alert(\(index))</script>'\n" : "+line \(line)\n" }
            files.append(.init(path: path, additions: 100, deletions: 0))
        }
        let gate = Self.gate(files: files, title: "Add <b>CRM</b> & \"billing\"")
        let page = ReviewPage(gate: gate, diffs: [1: text], diffProblem: nil, viewer: Principal(userID: "r", tenantID: UUID(), role: .owner), csrf: "t0ken", notice: nil)
        #expect(page.files.count == 100)
        #expect(page.files.allSatisfy { !$0.open })
        #expect(page.files.allSatisfy { $0.diffs.first?.hunks.first?.lines.count == 100 })

        let templates = try ReviewTemplates.bundled()
        struct Body { var page: ReviewPage }
        let html = try templates.render(ReviewController.Frame(title: page.title, viewer: nil, csrf: "t0ken", body: Body(page: page)), template: "review")
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(42)&lt;/script&gt;"))
        #expect(html.contains("Add &lt;b&gt;CRM&lt;/b&gt; &amp; &quot;billing&quot;"))
        #expect(html.components(separatedBy: "<details class=\"file-diff\"").count == 101)
        #expect(!html.contains(" open>"))
        #expect(html.components(separatedBy: "<tr class=\"added\">").count == 10_001)
        #expect(html.contains(#"<form method="post" action="/ui/runs/\#(gate.runID)/approve""#))
    }

    @Test func aSmallChangeStartsExpandedAndShowsEachIterationsHunks() throws {
        let gate = Self.gate(files: [.init(path: "README.md", additions: 2, deletions: 1)], iterations: [(1, "codegen_engineer"), (2, "auto_fixer")])
        let second = "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-a\n+b\n"
        let first = "diff --git a/README.md b/README.md\nnew file mode 100644\n--- /dev/null\n+++ b/README.md\n@@ -0,0 +1 @@\n+a\n"
        let page = ReviewPage(gate: gate, diffs: [1: first, 2: second], diffProblem: nil, viewer: Principal(userID: "r", tenantID: UUID(), role: .viewer), csrf: "t", notice: nil)
        #expect(page.files[0].open)
        #expect(page.files[0].diffs.map(\.label) == ["iteration 1 · codegen_engineer", "iteration 2 · auto_fixer"])
        #expect(!page.canDecide, "a viewer reads, never decides")
    }

    /// A pending gate over `files`, as the service stores it.
    static func gate(files: [RunServiceClient.Diff.File], title: String = "Add CRM", iterations: [(Int, String)] = [(1, "codegen_engineer")]) -> ReviewedGate {
        let json: JSONValue = .object([
            "id": .string(UUID().lowercaseText), "run_id": .string(UUID().lowercaseText), "spec_id": .string(UUID().lowercaseText),
            "iteration": .number(Double(iterations.count)), "status": .string("pending"), "risk_score": .number(80),
            "required_approvals": .number(1), "approvals": .number(0), "self_approval_allowed": .bool(false),
            "rollback": .object(["status": .string("passed"), "checks": .array([])]), "run_created_by": .string("creator"),
            "expires_at": .string("2026-12-09T10:00:00Z"), "created_at": .string("2026-12-06T10:00:00Z"),
            "risk": .object(["score": .number(80), "plan_score": .number(70), "threshold": .number(70), "reasons": .array([]), "flags": .array([])]),
            "diff_summary": .object([
                "files": .array(files.map { .object(["path": .string($0.path), "additions": .number(Double($0.additions)), "deletions": .number(Double($0.deletions))]) }),
                "additions": .number(Double(files.reduce(0) { $0 + $1.additions })), "deletions": .number(Double(files.reduce(0) { $0 + $1.deletions })),
                "iterations": .array(iterations.map { .object(["iteration": .number(Double($0.0)), "role": .string($0.1), "additions": .number(1), "deletions": .number(0)]) }),
            ]),
            "eval_summary": .object([
                "iteration": .number(1), "score": .number(100), "passed": .bool(true), "tests_passed": .number(3), "tests_failed": .number(0),
                "checks_passed": .number(2), "checks_failed": .number(0), "failing_files": .array([]), "checks": .array([]),
            ]),
            "rollback_plan": .object([
                "down_migrations": .array([]), "data_lost": .object(["tables": .array([]), "scope": .string("preview")]),
                "branch": .object(["name": .string("b"), "meaning": .string("m")]), "artifacts": .object(["meaning": .string("m")]),
            ]),
            "decisions": .array([]), "pull_request": .object(["title": .string(title), "markdown": .string("# \(title)")]),
        ])
        return try! JSONDecoder().decode(ReviewedGate.self, from: JSONEncoder().encode(json))
    }
}
