import Foundation

/// What travels with one request through every layer: deadline, trace and ids.
///
/// Set once by the server middleware (or by a worker for background work) as a task-local, so
/// the Postgres pool and the HTTP client pick up the deadline and trace without extra parameters.
public struct RequestScope: Sendable {
    /// The request's deadline.
    public var deadline: Deadline
    /// The W3C trace context of this request.
    public var trace: TraceContext
    /// The request id (also returned as `X-Request-Id`).
    public var requestID: String
    /// The verified caller, once authenticated.
    public var principal: Principal?

    /// Creates a scope.
    public init(deadline: Deadline, trace: TraceContext = .random(), requestID: String = RandomHex.uuid(), principal: Principal? = nil) {
        self.deadline = deadline
        self.trace = trace
        self.requestID = requestID
        self.principal = principal
    }

    /// What a request context holds until `RequestScopeMiddleware` opens the request's scope:
    /// a 30 s deadline and no ids yet (nothing random is made for it).
    public static func unopened() -> RequestScope {
        RequestScope(deadline: .after(.seconds(30)), trace: TraceContext(traceID: "", spanID: ""), requestID: "")
    }

    /// The scope of the current task, if any.
    @TaskLocal public static var current: RequestScope?
}
