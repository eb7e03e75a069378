import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// The review page in headless Chromium against the real mesh: a reviewer signs in through
    /// the form, reads a real run's change (file tree, coloured diff, risk flags, evidence),
    /// a form posted without its CSRF token is refused, markup from the spec renders as text,
    /// and the approval through the form finishes the run.
    @Suite(.serialized) struct ReviewPageBrowserTests {
        /// Where screenshots are kept: `META_BUILDER_TEST_ARTIFACTS`, or `.local/test-artifacts`.
        static var artifacts: String {
            ProcessInfo.processInfo.environment["META_BUILDER_TEST_ARTIFACTS"] ?? FileManager.default.currentDirectoryPath + "/.local/test-artifacts"
        }

        @Test func aReviewerSignsInReadsTheChangeAndApprovesThroughTheForm() async throws {
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, pool in
                let tenant = UUID()
                let creator = RunMesh.token(tenant: tenant, role: .owner, user: "creator")
                let title = "Synced CRM <script>document.title='pwned'</script>"
                let spec = try await mesh.createSpec(token: creator, title: title, description: RunLoopTests.syncedCRM)
                // The injected fault makes a second iteration: the Auto-Fixer's diff changes lines.
                let id = try #require(try await mesh.startRun(spec: spec, token: creator, body: #"{"fault":"missing_column"}"#).json?["id"]?.stringValue)
                let parked = try await mesh.waitForRun(id, token: creator)
                try #require(parked["status"]?.stringValue == "awaiting_approval", "\(parked)")
                var gateIDs: [String] = []
                let opened = try await ApprovalGateTests.eventually { gateIDs = try await ApprovalGateTests.gates(of: id, tenant: tenant, pool); return !gateIDs.isEmpty }
                try #require(opened, "no gate was opened:\n\(approval.logTail())")
                let gate = try #require(try await client.call("GET", "\(approval.url)/api/meta/v2/approvals/\(gateIDs[0])", token: creator).json)
                let fileCount = try #require(gate[path: "diff_summary", "files"]?.array?.count)

                try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
                let browser = try await HeadlessChromium.launch(logPath: "\(mesh.logDirectory)/chromium.log")
                defer { browser.quit() }

                // Sign in through the form, as the reviewer (another owner than the creator).
                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                try await browser.visit("\(approval.url)/ui/")
                try await browser.waitUntil("location.pathname === '/ui/sign-in'")
                try await browser.evaluate("document.querySelector('#token').value = \(HeadlessChromium.literal(reviewer)); document.querySelector('form.stack').submit()")
                try await browser.waitUntil("location.pathname === '/ui' || location.pathname === '/ui/'")
                try await browser.waitUntil("document.readyState === 'complete' && document.querySelector('#pending') !== null")
                #expect(try await browser.evaluate("document.cookie").stringValue == "", "the session cookie is HttpOnly: no script reads it")
                #expect(try await browser.evaluate("document.querySelector('a[href=\"/ui/runs/\(id)\"]') !== null").bool == true)

                // The run's page: the file tree, a hunk with coloured lines, the risk flags.
                try await browser.visit("\(approval.url)/ui/runs/\(id)")
                try await browser.screenshot(to: "\(Self.artifacts)/review-page-\(id).png")
                #expect(try await browser.evaluate("document.querySelectorAll('ul.tree li.file').length").int == fileCount)
                #expect(try await browser.evaluate("document.querySelectorAll('details.file-diff').length").int == fileCount)
                #expect((try await browser.evaluate("document.querySelectorAll('tr.hunk').length").int ?? 0) > 0)
                let added = try await browser.evaluate("getComputedStyle(document.querySelector('tr.added')).backgroundColor").stringValue
                // (A scaffold's iterations only add lines: the page's stylesheet colours a removed row.)
                let removed = try await browser.evaluate("""
                    (() => { const row = document.createElement('tr'); row.className = 'removed';
                             document.querySelector('table.diff').appendChild(row); return getComputedStyle(row).backgroundColor })()
                    """).stringValue
                #expect(added == "rgb(230, 255, 236)", "added lines are green")
                #expect(removed == "rgb(255, 235, 233)", "removed lines are red")
                #expect(try await browser.evaluate("document.querySelector('tr.added td.num:nth-child(2)').textContent.trim().length > 0").bool == true, "new line numbers")
                let flagged = try await browser.evaluate("[...document.querySelectorAll('ul.tree li.file')].filter(li => li.querySelector('.flag')).map(li => li.textContent)").array ?? []
                #expect(!flagged.isEmpty, "risk flags sit next to the files they concern")
                #expect(flagged.contains { $0.stringValue?.contains("pii_present") == true })
                // A change this large starts collapsed; a file opens on demand.
                #expect(try await browser.evaluate("[...document.querySelectorAll('details.file-diff')].every(d => !d.open)").bool == true)
                try await browser.evaluate("document.querySelector('details.file-diff summary').click()")
                #expect(try await browser.evaluate("document.querySelector('details.file-diff').open").bool == true)
                #expect(try await browser.evaluate("document.querySelector('details.file-diff tr.added').getBoundingClientRect().height > 0").bool == true)
                #expect(try await browser.evaluate("document.querySelector('#rollback-evidence').textContent").stringValue?.contains("passed") == true)
                #expect(try await browser.evaluate("document.querySelectorAll('p.iteration').length > 0").bool == true, "each iteration's hunks are labelled")

                // The spec's markup is text: no script element, the title untouched, the text shown.
                #expect(try await browser.evaluate("document.querySelectorAll('script').length").int == 0)
                let pageTitle = try await browser.evaluate("document.title").stringValue
                #expect(pageTitle != "pwned" && pageTitle?.contains("<script>") == true, "the script set no title; its text is the title: \(pageTitle ?? "")")
                #expect(try await browser.evaluate("document.body.textContent.includes(\(HeadlessChromium.literal("<script>document.title='pwned'</script>")))").bool == true)

                // A form posted without its CSRF token is refused; the gate stays pending.
                try await browser.evaluate("""
                    const form = document.querySelector('#reject-form');
                    form.querySelector('input[name=csrf]').remove();
                    form.querySelector('textarea').value = 'forged';
                    form.submit()
                    """)
                try await browser.waitUntil("location.pathname.endsWith('/reject') && document.readyState === 'complete'")
                #expect(try await browser.evaluate("document.body.textContent.includes('CSRF')").bool == true)
                #expect(try await client.call("GET", "\(approval.url)/api/meta/v2/approvals/\(gateIDs[0])", token: creator).json?["status"]?.stringValue == "pending")

                // Approve through the form: the page says so, and the run finalizes.
                try await browser.visit("\(approval.url)/ui/runs/\(id)")
                try await browser.evaluate("document.querySelector('#approve-comment').value = 'rollback verified in the browser'; document.querySelector('#approve-form button').click()")
                try await browser.waitUntil("location.search === '?decided=approve' && document.readyState === 'complete'")
                #expect(try await browser.evaluate("document.querySelector('#gate-status').textContent").stringValue?.contains("approved") == true)
                try await browser.screenshot(to: "\(Self.artifacts)/review-page-\(id)-approved.png")
                let finished = try await mesh.waitForRun(id, token: creator) { RunMesh.isSettled($0) && $0["status"]?.stringValue != "awaiting_approval" }
                #expect(finished["status"]?.stringValue == "succeeded", "\(finished)")
                #expect(finished[path: "approval", "decided_by"]?.stringValue == "reviewer")
                #expect(FileManager.default.fileExists(atPath: "\(Self.artifacts)/review-page-\(id).png"))
            }
        }
    }
}
