import Hummingbird

/// Guards internal endpoints: only another service of the mesh (a service token) may call them;
/// a user token answers UNAUTHENTICATED, as any credential not accepted on a route does.
public struct ServiceCallerMiddleware: RouterMiddleware {
    public typealias Context = TenantRequestContext

    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.principal.isService else {
            throw WireError(.unauthenticated, "internal endpoint: a service token is required")
        }
        return try await next(request, context)
    }
}
