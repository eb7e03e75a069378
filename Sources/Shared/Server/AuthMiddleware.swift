import Hummingbird

/// Verifies the bearer token of every request it guards and puts the principal into the request
/// scope; a missing or invalid token answers UNAUTHENTICATED, and so does a service token on a
/// route whose contract does not list its issuing service. Routes behind it use
/// `TenantRequestContext`, which only exists for a verified principal.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    private let authenticator: Authenticator
    private let callers: ServiceCallerPolicy

    /// Creates the middleware.
    public init(authenticator: Authenticator, callers: ServiceCallerPolicy) {
        self.authenticator = authenticator
        self.callers = callers
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let principal = try authenticator.authenticate(authorization: request.headers[.authorization])
        if let service = principal.callingService, !callers.allows(service, method: request.method, route: context.endpointPath) {
            throw WireError(.unauthenticated, "service tokens of \(service) are not accepted on this route")
        }
        context.scope.principal = principal
        context.logger[metadataKey: "tenant.id"] = .string(principal.tenantID.lowercaseText)
        context.logger[metadataKey: "user.id"] = .string(principal.userID)
        return try await RequestScope.$current.withValue(context.scope) {
            try await next(request, context)
        }
    }
}
