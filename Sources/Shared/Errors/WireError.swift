import Foundation
import HTTPTypes
import Hummingbird

/// The single error every service puts on the wire:
/// `{"error":{"code":"NOT_FOUND","status":404,"message":"…","details":[…]}}`.
///
/// `description` never includes secrets, SQL or parameters: messages are written for clients.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One structured detail, e.g. the offending field of a bad request.
    public struct Detail: Codable, Sendable, Equatable {
        /// The field (JSON path) the detail is about, if any.
        public var field: String?
        /// A human-readable explanation.
        public var reason: String

        /// Creates a detail.
        public init(field: String? = nil, reason: String) {
            self.field = field
            self.reason = reason
        }
    }

    /// The canonical code.
    public var code: StatusCode
    /// A message meant for the client.
    public var message: String
    /// Structured details.
    public var details: [Detail]
    /// Seconds after which a retry may succeed (sent as `Retry-After`).
    public var retryAfter: Int?
    /// Extra headers to send with the error (e.g. `RateLimit-*`).
    public var extraHeaders: [String: String]
    /// An HTTP status other than the code's own (413 for oversized bodies).
    public var httpStatusOverride: Int?

    /// The HTTP status sent.
    public var httpStatus: Int { httpStatusOverride ?? code.httpStatus }

    /// Creates a wire error.
    public init(_ code: StatusCode, _ message: String, details: [Detail] = [], retryAfter: Int? = nil, headers: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
        self.extraHeaders = headers
        self.httpStatusOverride = nil
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// An INVALID_ARGUMENT naming the offending field.
    public static func invalidArgument(field: String, _ reason: String) -> WireError {
        WireError(.invalidArgument, "invalid field '\(field)': \(reason)", details: [Detail(field: field, reason: reason)])
    }

    /// A NOT_FOUND for a resource kind and id.
    public static func notFound(_ kind: String, id: String) -> WireError {
        WireError(.notFound, "\(kind) \(id) not found")
    }
}

extension WireError {
    /// The JSON body shape.
    struct Body: Codable {
        struct Payload: Codable {
            var code: StatusCode
            var status: Int
            var message: String
            var details: [Detail]
        }
        var error: Payload
    }

    /// The JSON body of this error.
    public var jsonBody: Data {
        let body = Body(error: .init(code: code, status: httpStatus, message: message, details: details))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(body)) ?? Data(#"{"error":{"code":"INTERNAL","status":500,"message":"error encoding failed","details":[]}}"#.utf8)
    }

    /// Parses a wire error body; nil when the data is not one.
    public static func decode(from data: Data) -> WireError? {
        guard let body = try? JSONDecoder().decode(Body.self, from: data) else { return nil }
        return WireError(body.error.code, body.error.message, details: body.error.details)
    }
}

extension WireError: HTTPResponseError {
    public var status: HTTPResponse.Status { .init(code: httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        for (name, value) in extraHeaders {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBody)))
    }
}

/// Errors that know their wire form; everything internal converts through this.
public protocol WireErrorConvertible: Error {
    /// The error as the client should see it.
    var wireError: WireError { get }
}

extension WireError: WireErrorConvertible {
    public var wireError: WireError { self }
}
