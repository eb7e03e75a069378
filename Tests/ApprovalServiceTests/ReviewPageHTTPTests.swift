import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import ApprovalService

/// The review page on a real approval-service process (its peers unreachable): sign-in and its
/// cookie, CSRF tokens on every form, the security headers, tenant isolation, and decisions
/// through the forms.
@Suite struct ReviewPageHTTPTests {
    @Test func signInKeepsTheTokenInAStrictCookieAndEveryFormNeedsItsCSRFToken() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let gate = try await harness.database.seedGate(tenant: tenant)
            let visitor = PageVisitor(base: harness.service.url, client: harness.client)

            // Not signed in: to the sign-in form, which sets the CSRF nonce cookie.
            let away = try await visitor.get("/ui/")
            #expect(away.status == 303)
            #expect(away.header("Location") == "/ui/sign-in")
            let form = try await visitor.get("/ui/sign-in")
            #expect(form.status == 200)
            #expect(form.header("Content-Type")?.hasPrefix("text/html") == true)
            let policy = try #require(form.header("Content-Security-Policy"))
            #expect(policy.contains("default-src 'none'") && policy.contains("form-action 'self'") && !policy.contains("unsafe"))
            #expect(form.header("X-Frame-Options") == "DENY")
            let nonceCookie = try #require(PageVisitor.setCookies(form).first { $0.hasPrefix("mb_csrf=") })
            #expect(nonceCookie.contains("HttpOnly") && nonceCookie.contains("SameSite=Strict") && nonceCookie.contains("Path=/ui"))
            let csrf = try #require(visitor.csrf)

            // The form without its token, with another's, with a bad or a service token: refused.
            let owner = harness.token(tenant, .owner, user: "reviewer")
            #expect(try await visitor.post("/ui/sign-in", [("token", owner)]).status == 403)
            #expect(try await visitor.post("/ui/sign-in", [("token", owner), ("csrf", "forged")]).status == 403)
            let bad = try await visitor.post("/ui/sign-in", [("token", owner + "x"), ("csrf", csrf)])
            #expect(bad.status == 401)
            #expect(bad.text.contains("not accepted"))
            #expect(try await visitor.post("/ui/sign-in", [("token", harness.serviceToken(tenant)), ("csrf", csrf)]).status == 401)
            #expect(visitor.cookies["mb_session"] == nil)

            // Signed in: the token lives in an HttpOnly, SameSite=Strict cookie, Secure over TLS.
            let signedIn = try await visitor.post("/ui/sign-in", [("token", owner), ("csrf", csrf)])
            #expect(signedIn.status == 303, "\(signedIn.text)")
            let session = try #require(PageVisitor.setCookies(signedIn).first { $0.hasPrefix("mb_session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && !session.contains("Secure"))
            let overTLS = PageVisitor(base: harness.service.url, client: harness.client)
            _ = try await overTLS.get("/ui/sign-in", headers: [("X-Forwarded-Proto", "https")])
            let secure = try await overTLS.post("/ui/sign-in", [("token", owner), ("csrf", try #require(overTLS.csrf))], headers: [("X-Forwarded-Proto", "https")])
            #expect(PageVisitor.setCookies(secure).first { $0.hasPrefix("mb_session=") }?.contains("Secure") == true)

            // The list shows the tenant's pending gate; the run's page its forms.
            let list = try await visitor.get("/ui/")
            #expect(list.status == 200)
            #expect(list.text.contains("/ui/runs/\(gate.run.lowercaseText)"))
            let page = try await visitor.get("/ui/runs/\(gate.run.lowercaseText)")
            #expect(page.status == 200, "\(page.text)")
            #expect(page.text.contains("id=\"approve-form\"") && page.text.contains("id=\"reject-form\""))
            let formToken = try #require(visitor.csrf)
            #expect(formToken != csrf, "a form's token is bound to the session")

            // A decision posted without its token, or with the sign-in form's, is refused.
            let path = "/ui/runs/\(gate.run.lowercaseText)"
            let forged = try await visitor.post("\(path)/approve", [("comment", "ok")])
            #expect(forged.status == 403)
            #expect(forged.text.contains("CSRF"))
            #expect(try await visitor.post("\(path)/approve", [("comment", "ok"), ("csrf", csrf)]).status == 403)
            #expect(try await harness.database.status(of: gate) == "pending")

            // A rejection needs a comment; the approval through the form decides the gate.
            let noComment = try await visitor.post("\(path)/reject", [("comment", " "), ("csrf", formToken)])
            #expect(noComment.status == 400)
            #expect(noComment.text.contains("required to reject"))
            let control = try await visitor.post("\(path)/reject", [("comment", "bell\u{07}"), ("csrf", formToken)])
            #expect(control.status == 400)
            #expect(control.text.contains("control characters"))
            let approved = try await visitor.post("\(path)/approve", [("comment", "rollback <verified>"), ("csrf", formToken)])
            #expect(approved.status == 303, "\(approved.text)")
            #expect(approved.header("Location") == "\(path)?decided=approve")
            #expect(try await harness.database.status(of: gate) == "approved")
            #expect(try await harness.database.decisions(of: gate).map(\.actor) == ["reviewer"])
            let after = try await visitor.get("\(path)?decided=approve")
            #expect(after.text.contains("Your approval was recorded."))
            #expect(after.text.contains("rollback &lt;verified&gt;") && !after.text.contains("<verified>"))
            #expect(!after.text.contains("id=\"approve-form\""), "a decided gate shows no forms")
            let again = try await visitor.post("\(path)/reject", [("comment", "too late"), ("csrf", formToken)])
            #expect(again.status == 412)

            // Signed out, the session cookie is gone and the pages send the browser to sign in.
            let out = try await visitor.post("/ui/sign-out", [("csrf", formToken)])
            #expect(out.status == 303)
            #expect(visitor.cookies["mb_session"] == nil)
            #expect(try await visitor.get("/ui/").status == 303)
        }
    }

    @Test func pagesKeepTenantsApartAndViewersCannotDecide() async throws {
        try await ApprovalHarness.with { harness in
            let (tenant, other) = (UUID(), UUID())
            let gate = try await harness.database.seedGate(tenant: tenant)
            let stranger = PageVisitor(base: harness.service.url, client: harness.client)
            try await stranger.signIn(token: harness.token(other, .owner))
            let theirs = try await stranger.get("/ui/runs/\(gate.run.lowercaseText)")
            #expect(theirs.status == 404)
            #expect(try await stranger.get("/ui/runs/not-a-run").status == 404)
            #expect(!(try await stranger.get("/ui/")).text.contains(gate.run.lowercaseText))
            #expect(try await stranger.post("/ui/runs/\(gate.run.lowercaseText)/approve", [("csrf", try #require(stranger.csrf))]).status == 404)

            let viewer = PageVisitor(base: harness.service.url, client: harness.client)
            try await viewer.signIn(token: harness.token(tenant, .viewer))
            let page = try await viewer.get("/ui/runs/\(gate.run.lowercaseText)")
            #expect(page.status == 200)
            #expect(!page.text.contains("id=\"approve-form\""))
            let refused = try await viewer.post("/ui/runs/\(gate.run.lowercaseText)/approve", [("csrf", try #require(viewer.csrf))])
            #expect(refused.status == 403)
            #expect(try await harness.database.status(of: gate) == "pending")
        }
    }
}
