import Hummingbird
import Shared

/// Lets the review page's signed-in routes through only with a session cookie whose bearer token
/// verifies as a user's (service tokens are refused); the principal goes into the request scope,
/// so the peers the page reads are asked on the reviewer's behalf. Without one, the browser is
/// sent to the sign-in form (303).
struct ReviewSignIn: RouterMiddleware {
    typealias Context = AppRequestContext
    let session: ReviewSession
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = session.token(in: request), let principal = try? authenticator.authenticate(authorization: "Bearer \(token)"), !principal.isService else {
            return Response(status: .seeOther, headers: [.location: "/ui/sign-in", .cacheControl: "no-store"])
        }
        var context = context
        context.scope.principal = principal
        context.logger[metadataKey: "tenant.id"] = .string(principal.tenantID.lowercaseText)
        context.logger[metadataKey: "user.id"] = .string(principal.userID)
        return try await RequestScope.$current.withValue(context.scope) {
            try await next(request, context)
        }
    }
}
