import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// The review page under `/ui`: server-rendered HTML without scripts. `GET /ui` lists the
/// tenant's gates (pending first), `GET /ui/runs/{id}` shows one run's change for review with its
/// approve and reject forms. Sign-in keeps the bearer token in an `HttpOnly`, `SameSite=Strict`
/// cookie; every form carries a CSRF token; every page is sent with a strict
/// Content-Security-Policy and never cached.
struct ReviewController: Sendable {
    let repository: GateRepository
    let desk: DecisionDesk
    let runs: RunServiceClient
    let session: ReviewSession
    let templates: ReviewTemplates
    let authenticator: Authenticator

    /// The largest form accepted.
    static let maxFormBytes = 64 << 10
    /// No scripts, no inline styles, nothing from elsewhere; forms post only here.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// A posted sign-in form.
    struct SignInForm: Decodable {
        var token: String?
        var csrf: String?
    }

    /// A posted decision or sign-out form.
    struct DecisionForm: Decodable {
        var comment: String?
        var csrf: String?
    }

    /// Every page's frame: its title, the signed-in reviewer and the CSRF token of its forms.
    struct Frame<Body> {
        var title: String
        var viewer: Principal?
        var csrf: String
        var body: Body
    }

    func register(on router: Router<AppRequestContext>) {
        let open = router.group("ui")
        open.get("review.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=300"], body: .init(byteBuffer: ByteBuffer(string: templates.stylesheet)))
        }
        open.get("sign-in") { request, _ in try signInPage(request, problem: nil, status: .ok) }
        open.post("sign-in") { request, _ in try await signIn(request) }
        open.post("sign-out") { request, _ in try await signOut(request) }
        let signedIn = router.group("ui").add(middleware: ReviewSignIn(session: session, authenticator: authenticator))
        signedIn.get { request, context in try await page(request, context) { try await approvals(request, context) } }
        signedIn.get("runs/:id") { request, context in try await page(request, context) { try await review(request, context, notice: nil) } }
        signedIn.post("runs/:id/approve") { request, context in try await page(request, context) { try await decide(.approve, request, context) } }
        signedIn.post("runs/:id/reject") { request, context in try await page(request, context) { try await decide(.reject, request, context) } }
    }

    // MARK: Sign-in

    private func signInPage(_ request: Request, problem: String?, status: HTTPResponse.Status) throws -> Response {
        let nonce = session.nonce(for: request)
        struct Body { var problem: String? }
        let frame = Frame(title: "Sign in", viewer: nil, csrf: session.csrfToken(nonce: nonce.value, session: nil), body: Body(problem: problem))
        return html(try templates.render(frame, template: "sign-in"), status: status, request: request, newNonce: nonce.isNew ? nonce.value : nil)
    }

    /// `POST /ui/sign-in`: checks the form's CSRF token and the bearer token (a user's, valid now),
    /// then keeps it in the session cookie and goes to the list.
    private func signIn(_ request: Request) async throws -> Response {
        let form = try await Self.form(SignInForm.self, request)
        do {
            try session.verify(form.csrf, request: request, session: nil)
        } catch {
            return try signInPage(request, problem: "\(Self.message(error)) Sign in again.", status: .forbidden)
        }
        let token = (form.token ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let principal: Principal
        do {
            principal = try authenticator.authenticate(authorization: "Bearer \(token)")
        } catch {
            return try signInPage(request, problem: "This token was not accepted: \(Self.message(error))", status: .unauthorized)
        }
        guard !principal.isService else {
            return try signInPage(request, problem: "Sign in with a user's token; service tokens are for the services.", status: .unauthorized)
        }
        var response = Self.redirect("/ui/")
        response.setCookie(session.cookie(ReviewSession.sessionCookie, token, for: request))
        return response
    }

    /// `POST /ui/sign-out`: forgets the session (the CSRF token is checked: no one signs a
    /// reviewer out from another site).
    private func signOut(_ request: Request) async throws -> Response {
        let form = try await Self.form(DecisionForm.self, request)
        try session.verify(form.csrf, request: request, session: session.token(in: request))
        var response = Self.redirect("/ui/sign-in")
        response.setCookie(session.cookie(ReviewSession.sessionCookie, "", for: request, maxAge: 0))
        return response
    }

    // MARK: Pages

    /// `GET /ui`: the tenant's pending gates, then the latest decided ones.
    private func approvals(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try Self.viewer(context)
        try RBAC.authorize(viewer, .readApproval)
        let listed = try await repository.list(tenant: viewer.tenantID, status: nil, pageSize: 100, after: nil)
        struct Listed: Decodable { var approvals: [GateListItem] }
        let gates = try JSONDecoder().decode(Listed.self, from: Data(listed.text.utf8)).approvals
        struct Body {
            var hasPending: Bool, pendingCount: Int, pending: [GateListItem]
            var hasDecided: Bool, decided: [GateListItem]
        }
        let pending = gates.filter { $0.status == GateStatus.pending.rawValue }
        let decided = Array(gates.filter { $0.status != GateStatus.pending.rawValue }.prefix(20))
        let body = Body(hasPending: !pending.isEmpty, pendingCount: pending.count, pending: pending, hasDecided: !decided.isEmpty, decided: decided)
        return try render("Approvals", body, template: "approvals", request: request, viewer: viewer)
    }

    /// `GET /ui/runs/{id}`: the latest gate of the run with its change, evidence and forms.
    private func review(_ request: Request, _ context: AppRequestContext, notice: String?) async throws -> Response {
        let viewer = try Self.viewer(context)
        try RBAC.authorize(viewer, .readApproval)
        let run = try Self.runID(context)
        guard let json = try await repository.latest(ofRun: run, tenant: viewer.tenantID) else {
            throw WireError(.notFound, "run \(run.lowercaseText) has no approval gate")
        }
        let gate = try JSONDecoder().decode(ReviewedGate.self, from: Data(json.utf8))
        var diffs: [Int: String]? = nil
        var problem: String? = nil
        do {
            diffs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for iteration in gate.diffSummary.iterations.map(\.iteration) {
                    group.addTask { (iteration, try await runs.diffText(of: run, iteration: iteration)) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
        } catch {
            problem = Self.message(error)
        }
        let nonce = session.nonce(for: request)
        let csrf = session.csrfToken(nonce: nonce.value, session: session.token(in: request))
        let decided = request.uri.queryParameters["decided"].map(String.init)
        let page = ReviewPage(gate: gate, diffs: diffs, diffProblem: problem, viewer: viewer, csrf: csrf, notice: notice ?? decided.flatMap(Self.notice))
        struct Body { var page: ReviewPage }
        return try render(page.title, Body(page: page), template: "review", request: request, viewer: viewer)
    }

    /// `POST /ui/runs/{id}/approve|reject`: the form's decision through the same desk as the API
    /// (roles, policy, evidence, hourly limit, one transaction), then back to the run's page.
    private func decide(_ decision: Decision, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try Self.viewer(context)
        let form = try await Self.form(DecisionForm.self, request)
        try session.verify(form.csrf, request: request, session: session.token(in: request))
        let run = try Self.runID(context)
        let comment = try DecisionRequest.parse(formComment: form.comment, for: decision)
        _ = try await desk.decide(decision, comment: comment, raw: .object(["comment": comment.map(JSONValue.string) ?? .null]), run: run, by: viewer, key: nil)
        return Self.redirect("/ui/runs/\(run.lowercaseText)?decided=\(decision.rawValue)")
    }

    // MARK: Rendering

    /// Runs a signed-in page; an error becomes a page saying what went wrong, with its status
    /// (a session that stopped verifying goes back to sign-in).
    private func page(_ request: Request, _ context: AppRequestContext, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as WireError where error.code == .unauthenticated {
            return Self.redirect("/ui/sign-in")
        } catch {
            let wire = (error as? any WireErrorConvertible)?.wireError ?? WireError(.internal, "the page could not be shown")
            struct Body { var heading: String, code: String, message: String, back: String? }
            let back = context.parameters.get("id").map { "/ui/runs/\($0)" } ?? "/ui/"
            let body = Body(heading: wire.code == .notFound ? "Not found" : "That did not work", code: wire.code.rawValue, message: wire.message, back: back)
            var response = try render("Problem", body, template: "problem", request: request, viewer: context.scope.principal)
            response.status = wire.status
            if let retryAfter = wire.retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            for (name, value) in wire.extraHeaders { if let field = HTTPField.Name(name) { response.headers[field] = value } }
            return response
        }
    }

    private func render<Body>(_ title: String, _ body: Body, template: String, request: Request, viewer: Principal?) throws -> Response {
        let nonce = session.nonce(for: request)
        let frame = Frame(title: title, viewer: viewer, csrf: session.csrfToken(nonce: nonce.value, session: session.token(in: request)), body: body)
        return html(try templates.render(frame, template: template), status: .ok, request: request, newNonce: nonce.isNew ? nonce.value : nil)
    }

    private func html(_ text: String, status: HTTPResponse.Status, request: Request, newNonce: String?) -> Response {
        var response = Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ], body: .init(byteBuffer: ByteBuffer(string: text)))
        if let newNonce { response.setCookie(session.cookie(ReviewSession.nonceCookie, newNonce, for: request)) }
        return response
    }

    // MARK: Helpers

    private static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    private static func viewer(_ context: AppRequestContext) throws -> Principal {
        guard let principal = context.scope.principal else { throw WireError(.unauthenticated, "sign in") }
        return principal
    }

    private static func runID(_ context: AppRequestContext) throws -> UUID {
        let raw = try context.parameters.require("id")
        guard let id = UUID(text: raw) else { throw WireError.notFound("run", id: raw) }
        return id
    }

    private static func form<Form: Decodable>(_ type: Form.Type, _ request: Request) async throws -> Form {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxFormBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw WireError.bodyTooLarge(limit: maxFormBytes)
        }
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw WireError(.invalidArgument, "the form could not be read")
        }
    }

    private static func notice(_ decision: String) -> String? {
        switch decision {
        case Decision.approve.rawValue: "Your approval was recorded."
        case Decision.reject.rawValue: "Your rejection was recorded."
        default: nil
        }
    }

    private static func message(_ error: any Error) -> String {
        (error as? any WireErrorConvertible)?.wireError.message ?? "the request failed"
    }
}
