import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Personal data never leaves the records it belongs to. A tenant writes an e-mail address
    /// and a phone number where people do — the spec's title and description, an approval's
    /// comment, a mistyped id in a path and a query — and the run is built, gated, approved and
    /// finished. Then neither appears in any service's log, in any message published on Redis
    /// (every channel, read by `redis-cli psubscribe`), in the run's event stream, or in any
    /// service's `/metrics` — while the spec itself still holds them, the logs and the messages
    /// name the run (so the capture saw the traffic), and the review page shows the comment.
    @Suite(.serialized) struct ReliabilityPrivacyTests {
        @Test func personalDataNeverReachesLogsEventsOrMetrics() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "privacy", settings: settings)
            let marker = String(UInt32.random(in: 1000...9999))
            let email = "jane.doe.\(marker)@example.org"
            let phone = "+1 415 555 \(marker)"
            let secrets = [email, phone, phone.filter(\.isNumber)]
            let capture = try PublishedMessages()
            defer { capture.stop() }
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, _ in
                let tenant = UUID()
                let creator = client.token(tenant: tenant, role: .owner, user: "creator")
                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                let description = SharedRunQueue.RunLoopTests.syncedCRM + " Questions go to our office manager at \(email) or \(phone)."
                let spec = try await mesh.createSpec(token: creator, title: "CRM for \(email)", description: description)
                _ = try await mesh.call("GET", "/api/meta/v2/specs/\(email)", on: "spec", token: creator)
                _ = try await mesh.call("GET", "/api/meta/v2/runs?spec_id=\(phone.filter(\.isNumber))", token: creator)
                let run = try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue)
                let waiting = try await mesh.waitForRun(run, token: creator)
                try #require(waiting["status"]?.stringValue == "awaiting_approval", "\(waiting)")
                var approved = 0
                for _ in 0..<100 where approved != 200 {
                    let body = String(decoding: try JSONEncoder().encode(["comment": "Fine; call me on \(phone) or write to \(email)."]), as: UTF8.self)
                    approved = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(run)/approve", token: reviewer, body: body).status
                    if approved != 200 { try await Task.sleep(for: .milliseconds(100)) }
                }
                try #require(approved == 200, "the run could not be approved")
                let finished = try await mesh.waitForRun(run, token: creator) { ["succeeded", "failed", "cancelled"].contains($0["status"]?.stringValue ?? "") }
                try #require(finished["status"]?.stringValue == "succeeded", "\(finished)")
                let stream = try await mesh.call("GET", "/api/meta/v2/runs/\(run)/events", token: creator).text
                var metrics = ""
                for (_, port) in mesh.services(approvalPort: approvalPort) {
                    metrics += try await client.call("GET", "http://127.0.0.1:\(port)/metrics", token: nil).text
                }
                try await Task.sleep(for: .milliseconds(500))
                let logs = try FileManager.default.contentsOfDirectory(atPath: mesh.logDirectory).sorted().map { name in
                    (name, (try? String(contentsOfFile: "\(mesh.logDirectory)/\(name)", encoding: .utf8)) ?? "")
                }
                let published = capture.text

                var leaks: [String] = []
                let sources = logs.map { ("the log \($0.0)", $0.1) } + [("the messages published on Redis", published), ("the run's event stream", stream), ("the services' metrics", metrics)]
                for (source, text) in sources {
                    for secret in secrets where text.contains(secret) {
                        let line = text.split(separator: "\n").first { $0.contains(secret) } ?? ""
                        leaks.append("\(source) holds \(secret): \(line.prefix(240))")
                    }
                }
                var blind: [String] = []
                let stored = try await mesh.call("GET", "/api/meta/v2/specs/\(spec)", on: "spec", token: creator).text
                if !stored.contains(email) { blind.append("the spec does not hold the e-mail address it was given: the test proves nothing") }
                if !published.contains(run) { blind.append("no published message names the run: the capture saw nothing") }
                if !logs.contains(where: { $0.1.contains(run) }) { blind.append("no log names the run: the logs were not read") }
                let page = PageVisitor(base: approval.url, client: client)
                try await page.signIn(token: reviewer)
                if !(try await page.get("/ui/runs/\(run)")).text.contains(email) { blind.append("the review page does not show the reviewer's comment to the tenant") }
                report.check("no e-mail address or phone number in \(logs.count) logs, \(capture.count) published messages, the event stream or the metrics", failures: leaks)
                report.check("the data is where it belongs and the capture saw the traffic", failures: blind)
                report.count("pii_leaks", leaks.count)
            }
            try report.finish()
        }
    }
}
