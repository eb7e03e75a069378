import Foundation
import Hummingbird
import Logging

/// The request context of every service: the request scope (id, trace, deadline) and, once
/// the bearer token was verified, the principal.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Deadline, trace and request id; set by `RequestScopeMiddleware`.
    public var scope: RequestScope
    /// The largest body accepted; set from configuration by `RequestScopeMiddleware`.
    public var maxBodyBytes: Int

    public init(source: Source) {
        coreContext = .init(source: source)
        scope = .unopened()
        maxBodyBytes = 1 << 20
    }

    public var maxUploadSize: Int { maxBodyBytes }
    public var requestDecoder: WireJSONDecoder { WireJSONDecoder() }
}

/// The context of routes that need a caller: building it from the parent fails with
/// UNAUTHENTICATED unless the bearer token was verified. Repositories take the tenant from here.
public struct TenantRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request scope (with its principal).
    public var scope: RequestScope
    /// The verified caller.
    public let principal: Principal
    let maxBodyBytes: Int

    public init(context: AppRequestContext) throws {
        guard let principal = context.scope.principal else {
            throw WireError(.unauthenticated, "missing bearer token")
        }
        coreContext = context.coreContext
        scope = context.scope
        maxBodyBytes = context.maxBodyBytes
        self.principal = principal
    }

    /// The caller's tenant.
    public var tenantID: UUID { principal.tenantID }
    public var maxUploadSize: Int { maxBodyBytes }
    public var requestDecoder: WireJSONDecoder { WireJSONDecoder() }
}
