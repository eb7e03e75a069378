import Foundation
import Hummingbird

/// Decodes JSON request bodies, turning every failure into a 4xx wire error that names the
/// offending field: malformed JSON, wrong types, missing or null fields, oversized bodies.
public struct WireJSONDecoder: RequestDecoder {
    /// Creates the decoder.
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw WireError.bodyTooLarge(limit: context.maxUploadSize)
        }
        return try Self.decode(type, from: Data(buffer: buffer))
    }

    /// Decodes JSON data with the same error mapping.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if data.isEmpty { throw WireError(.invalidArgument, "request body is empty; a JSON object is required") }
        if type == JSONValue.self {
            do {
                return try JSONValue(parsing: data) as! T
            } catch let error as DecodingError {
                throw WireError(decoding: error)
            }
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw WireError(decoding: error)
        }
    }
}

extension WireError {
    /// A 413-class error for a body over the limit.
    public static func bodyTooLarge(limit: Int) -> WireError {
        var error = WireError(.invalidArgument, "request body exceeds the limit of \(limit) bytes", details: [Detail(reason: "body too large")])
        error.httpStatusOverride = 413
        return error
    }

    /// Maps a decoding failure onto INVALID_ARGUMENT naming the field.
    public init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            self = .invalidArgument(field: path(context.codingPath), "expected \(Self.jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            self = .invalidArgument(field: path(context.codingPath), "must be a \(Self.jsonTypeName(type)), not null")
        case .keyNotFound(let key, let context):
            self = .invalidArgument(field: path(context.codingPath, key), "is required")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self = WireError(.invalidArgument, "request body is not valid JSON", details: [Detail(reason: "malformed JSON")])
            } else {
                // Foundation's description names Swift types ("Cannot initialize Role from …").
                self = .invalidArgument(field: path(context.codingPath), "is not a valid value")
            }
        @unknown default:
            self = WireError(.invalidArgument, "request body could not be decoded")
        }
    }

    /// The JSON name of what was expected; never a Swift type's name.
    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is UUID.Type, is Date.Type: "string"
        case is Bool.Type: "boolean"
        case is any BinaryInteger.Type, is any BinaryFloatingPoint.Type, is Decimal.Type: "number"
        case is [Any].Type: "array"
        default: "\(type)".contains("Dictionary") ? "object" : "value of the documented type"
        }
    }
}
