import Foundation
import Hummingbird
import Logging

/// Turns every error into the wire error: `WireError`s as they are, Hummingbird's HTTP errors
/// (unknown route, oversized body, bad request) and decoding errors into 4xx with a clear
/// message, anything else into INTERNAL, logged with the request id (and never with its
/// message on the wire). A method the contract does not declare on a path it does declare is
/// 405 with `Allow` (RFC 9110 §15.5.6), not 404.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The service's contract, for the methods each path allows.
    let contract: ContractRoutes?

    /// Creates the middleware; without a contract, an unknown method is a 404 like an unknown path.
    public init(contract: ContractRoutes? = nil) {
        self.contract = contract
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var wire = Self.wireError(for: error, request: request)
            if let error = error as? HTTPError, error.status == .notFound, let allowed = contract?.methods(matching: request.uri.path), !allowed.isEmpty {
                wire = WireError(.unimplemented, "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(allowed.joined(separator: ", "))", headers: ["Allow": allowed.joined(separator: ", ")])
                wire.httpStatusOverride = 405
            }
            // A dependency is down: tell clients when to come back (DESIGN: 503 with Retry-After).
            if wire.code == .unavailable, wire.retryAfter == nil { wire.retryAfter = 1 }
            // RFC 6750: a refused bearer credential names the scheme and why.
            if wire.code == .unauthenticated, wire.extraHeaders["WWW-Authenticate"] == nil {
                let hasToken = request.headers[.authorization] != nil
                wire.extraHeaders["WWW-Authenticate"] = hasToken ? #"Bearer realm="meta-builder", error="invalid_token""# : #"Bearer realm="meta-builder""#
            }
            if wire.httpStatus >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)", "http.status": "\(wire.httpStatus)"])
            } else {
                context.logger.info("request rejected", metadata: ["error": "\(wire)", "http.status": "\(wire.httpStatus)"])
            }
            return try wire.response(from: request, context: context)
        }
    }

    /// The wire form of any error.
    static func wireError(for error: any Error, request: Request) -> WireError {
        switch error {
        case let error as any WireErrorConvertible:
            return error.wireError
        case let error as DecodingError:
            return WireError(decoding: error)
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return WireError(.notFound, "no route for \(request.method.rawValue) \(request.uri.path)")
            default:
                return WireError(StatusCode(httpStatus: error.status.code), error.body ?? error.status.reasonPhrase)
            }
        case let error as any HTTPResponseError:
            var wire = WireError(StatusCode(httpStatus: error.status.code), error.status.reasonPhrase)
            if error.status.code == 413 { wire.httpStatusOverride = 413 }
            return wire
        case is CancellationError:
            return WireError(.cancelled, "request cancelled")
        case is PostgresDecodingError:
            // The column and Swift type go to the log (above), not to the client.
            return WireError(.internal, "stored data could not be read; see the service log for request \(request.headers[.xRequestID] ?? "")")
        default:
            return WireError(.internal, "internal error; see the service log for request \(request.headers[.xRequestID] ?? "")")
        }
    }
}
