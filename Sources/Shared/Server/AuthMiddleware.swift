import Hummingbird

/// Verifies the bearer token of every request it guards and puts the principal into the request
/// scope; a missing or invalid token answers UNAUTHENTICATED. Routes behind it use
/// `TenantRequestContext`, which only exists for a verified principal.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    private let authenticator: Authenticator

    /// Creates the middleware.
    public init(authenticator: Authenticator) {
        self.authenticator = authenticator
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let principal = try authenticator.authenticate(authorization: request.headers[.authorization])
        context.scope.principal = principal
        context.logger[metadataKey: "tenant.id"] = .string(principal.tenantID.lowercaseText)
        context.logger[metadataKey: "user.id"] = .string(principal.userID)
        return try await RequestScope.$current.withValue(context.scope) {
            try await next(request, context)
        }
    }
}
