import HTTPTypes
import Foundation
import Hummingbird
import Logging

/// Opens the request scope: request id (`X-Request-Id`, echoed back), W3C `traceparent`
/// (accepted or started, echoed back), deadline from `Grpc-Timeout` (capped) or the default.
/// The scope becomes the task-local `RequestScope.current` for everything the handler calls,
/// and the logger gains `request.id` and `trace.id`.
public struct RequestScopeMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    private let config: ServerConfig

    /// Creates the middleware.
    public init(config: ServerConfig) {
        self.config = config
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxBodyBytes = config.maxBodyBytes
        let requestID = request.headers[.xRequestID].flatMap { Self.isAcceptableID($0) ? $0 : nil } ?? RandomHex.uuid()
        let trace = request.headers[.traceparent].flatMap(TraceContext.init(traceparent:)) ?? .random()
        var timeout = Duration.milliseconds(config.defaultDeadlineMilliseconds)
        var badTimeout: WireError?
        if let header = request.headers[.grpcTimeout] {
            if let parsed = GRPCTimeout.parse(header) {
                timeout = min(parsed, .milliseconds(config.maxDeadlineMilliseconds))
            } else {
                badTimeout = .invalidArgument(field: "Grpc-Timeout", "must be 1-8 digits followed by H, M, S, m, u or n")
            }
        }
        context.scope = RequestScope(deadline: .after(timeout), trace: trace, requestID: requestID)
        context.logger[metadataKey: "request.id"] = .string(requestID)
        context.logger[metadataKey: "trace.id"] = .string(trace.traceID)
        var response: Response
        if let badTimeout {
            response = try badTimeout.response(from: request, context: context)
        } else {
            response = try await RequestScope.$current.withValue(context.scope) {
                try await next(request, context)
            }
        }
        response.headers[.xRequestID] = requestID
        response.headers[.traceparent] = trace.traceparent
        return response
    }

    private static func isAcceptableID(_ value: String) -> Bool {
        value.count <= 128 && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`.
    public static let xRequestID = HTTPField.Name("X-Request-Id")!
    /// `Grpc-Timeout`.
    public static let grpcTimeout = HTTPField.Name("Grpc-Timeout")!
    /// `Idempotency-Key`.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
